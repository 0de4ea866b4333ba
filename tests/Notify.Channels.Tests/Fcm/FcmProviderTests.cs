using System.Buffers.Text;
using Microsoft.Extensions.Time.Testing;
using Notify.Core.Templates;

namespace Notify.Channels.Tests.Fcm;

/// <summary>What only FCM does: its request, its OAuth token, and its error bodies.</summary>
public sealed class FcmProviderTests : IAsyncLifetime
{
    private const string Token = "fKq3-7pRRj2dV0xY1z:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private FcmFake _fake = null!;
    private ProviderHost _host = null!;

    private IDeliveryProvider Provider => _host.Provider;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _fake = await FcmFake.StartNewAsync();
        _host = FcmTestHost.Create(_fake, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _fake.DisposeAsync();
    }

    private static OutgoingMessage Message(Priority priority = Priority.Normal, RenderedContent? content = null) => new(
        "0123456789abcdefghijklmn-0",
        Channel.Push,
        "user-1",
        Token,
        content ?? new RenderedContent(Title: "Hello Ann", Body: "Your order shipped", Data: new Dictionary<string, string> { ["orderId"] = "42", ["screen"] = "orders" }),
        priority)
    {
        Platform = DevicePlatform.Fcm,
    };

    private IReadOnlyList<ReceivedRequest> Sends => [.. _fake.Received.Where(r => r.Path != "/token")];

    [Fact]
    public void Claims_fcm_push_only()
    {
        Assert.True(Provider.CanSend(Channel.Push, DevicePlatform.Fcm));
        Assert.False(Provider.CanSend(Channel.Push, DevicePlatform.Apns));
        Assert.False(Provider.CanSend(Channel.Push, null));
        Assert.False(Provider.CanSend(Channel.Email, DevicePlatform.Fcm));
    }

    [Fact]
    public async Task Rendered_message_becomes_an_fcm_v1_send_with_a_bearer_token()
    {
        var outcome = await Provider.SendAsync(Message(), Ct);

        var sent = Assert.IsType<DeliveryOutcome.Sent>(outcome);
        Assert.StartsWith($"projects/{FcmFake.ProjectId}/messages/0:", sent.ProviderMessageId, StringComparison.Ordinal);
        var request = Assert.Single(Sends);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/v1/projects/{FcmFake.ProjectId}/messages:send", request.Path);
        Assert.Equal("Bearer ya29.fake-1", request.Headers["authorization"]);
        Assert.Equal("application/json; charset=utf-8", request.Headers["content-type"]);
        var expected = JsonNode.Parse("""
            {"message":{
              "token":"TOKEN",
              "notification":{"title":"Hello Ann","body":"Your order shipped"},
              "data":{"orderId":"42","screen":"orders"},
              "android":{"priority":"normal"},
              "apns":{"headers":{"apns-priority":"5"}}}}
            """.Replace("TOKEN", Token, StringComparison.Ordinal));
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(request.Body)), request.Body);
    }

    [Fact]
    public async Task High_priority_asks_android_and_apns_for_immediate_delivery()
    {
        await Provider.SendAsync(Message(Priority.High), Ct);

        var message = JsonNode.Parse(Assert.Single(Sends).Body)!["message"]!;
        Assert.Equal("high", message["android"]!["priority"]!.GetValue<string>());
        Assert.Equal("10", message["apns"]!["headers"]!["apns-priority"]!.GetValue<string>());
    }

    [Fact]
    public async Task Data_only_message_has_no_notification_and_apns_priority_5_even_when_high()
    {
        var content = new RenderedContent(Data: new Dictionary<string, string> { ["sync"] = "inbox" });

        var outcome = await Provider.SendAsync(Message(Priority.High, content), Ct);

        Assert.IsType<DeliveryOutcome.Sent>(outcome);
        var message = JsonNode.Parse(Assert.Single(Sends).Body)!["message"]!.AsObject();
        Assert.False(message.ContainsKey("notification"));
        Assert.Equal("high", message["android"]!["priority"]!.GetValue<string>());
        Assert.Equal("5", message["apns"]!["headers"]!["apns-priority"]!.GetValue<string>());
    }

    [Fact]
    public async Task Token_request_is_a_service_account_assertion_signed_with_its_key_for_the_messaging_scope()
    {
        await Provider.SendAsync(Message(), Ct);

        var token = Assert.Single(_fake.Received, r => r.Path == "/token");
        Assert.Equal("application/x-www-form-urlencoded", token.Headers["content-type"]);
        var form = token.Body.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        Assert.Equal("urn:ietf:params:oauth:grant-type:jwt-bearer", form["grant_type"]);
        var parts = form["assertion"].Split('.');
        using var publicKey = _fake.PublicKey;
        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!;
        Assert.Equal("RS256", header["alg"]!.GetValue<string>());
        Assert.Equal(FcmFake.PrivateKeyId, header["kid"]!.GetValue<string>());
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
        Assert.Equal(FcmFake.ClientEmail, claims["iss"]!.GetValue<string>());
        Assert.Equal(FcmFake.Scope, claims["scope"]!.GetValue<string>());
        // The assertion is dated by the injected clock, not the machine's.
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), claims["iat"]!.GetValue<long>());
    }

    [Fact]
    public async Task One_access_token_serves_many_sends_even_concurrent_ones()
    {
        var first = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Provider.SendAsync(Message(), Ct)));
        _time.Advance(TimeSpan.FromMinutes(30));
        var later = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Provider.SendAsync(Message(), Ct)));

        Assert.All(first.Concat(later), o => Assert.IsType<DeliveryOutcome.Sent>(o));
        Assert.Equal(1, _fake.TokenRequests);
        Assert.All(Sends, r => Assert.Equal("Bearer ya29.fake-1", r.Headers["authorization"]));
    }

    [Fact]
    public async Task Access_token_is_renewed_when_it_is_about_to_expire()
    {
        Assert.IsType<DeliveryOutcome.Sent>(await Provider.SendAsync(Message(), Ct));
        // expires_in is 3599 s; within its last minute the library no longer hands the old token out.
        _time.Advance(TimeSpan.FromMinutes(59.5));

        var outcome = await Provider.SendAsync(Message(), Ct);

        Assert.IsType<DeliveryOutcome.Sent>(outcome);
        Assert.Equal(2, _fake.TokenRequests);
        Assert.Equal("Bearer ya29.fake-2", Sends[^1].Headers["authorization"]);
    }

    [Fact]
    public async Task Access_token_fcm_refuses_is_misconfiguration_and_replaced_before_the_next_send()
    {
        Assert.IsType<DeliveryOutcome.Sent>(await Provider.SendAsync(Message(), Ct));
        _fake.ReplyNext(401, FcmFake.Bodies.Unauthenticated);

        var refused = await Provider.SendAsync(Message(), Ct);
        var next = await Provider.SendAsync(Message(), Ct);

        var misconfigured = Assert.IsType<DeliveryOutcome.Misconfigured>(refused);
        Assert.Equal("UNAUTHENTICATED", misconfigured.Code);
        Assert.IsType<DeliveryOutcome.Sent>(next);
        Assert.Equal(2, _fake.TokenRequests);
        Assert.Equal("Bearer ya29.fake-2", Sends[^1].Headers["authorization"]);
    }

    [Fact]
    public async Task After_a_refused_token_and_a_failed_refresh_the_next_send_fetches_a_new_token_again()
    {
        Assert.IsType<DeliveryOutcome.Sent>(await Provider.SendAsync(Message(), Ct));
        _fake.ReplyNext(401, FcmFake.Bodies.Unauthenticated);
        Assert.IsType<DeliveryOutcome.Misconfigured>(await Provider.SendAsync(Message(), Ct));
        _fake.TokenReplyNext(503, """{"error":"unavailable"}""");
        Assert.IsType<DeliveryOutcome.Transient>(await Provider.SendAsync(Message(), Ct));

        var next = await Provider.SendAsync(Message(), Ct);

        Assert.IsType<DeliveryOutcome.Sent>(next);
        // The refused ya29.fake-1 is never sent again: the failed refresh left the refresh pending.
        Assert.Equal(3, _fake.TokenRequests);
        Assert.Equal("Bearer ya29.fake-3", Sends[^1].Headers["authorization"]);
        Assert.Equal(2, Sends.Count(r => r.Headers["authorization"] == "Bearer ya29.fake-1"));
    }

    [Fact]
    public async Task Token_endpoint_refusing_the_grant_is_misconfiguration()
    {
        _fake.TokenReplyNext(400, FcmFake.Bodies.InvalidGrant);

        var outcome = await Provider.SendAsync(Message(), Ct);

        var misconfigured = Assert.IsType<DeliveryOutcome.Misconfigured>(outcome);
        Assert.Equal("oauth-invalid_grant", misconfigured.Code);
        Assert.Contains("Invalid JWT Signature.", misconfigured.Message, StringComparison.Ordinal);
        Assert.Empty(Sends);
    }

    [Fact]
    public async Task Token_endpoint_unavailable_is_transient_after_a_single_attempt()
    {
        _fake.TokenReplyNext(503, """{"error":"unavailable"}""");

        var outcome = await Provider.SendAsync(Message(), Ct);

        Assert.IsType<DeliveryOutcome.Transient>(outcome);
        // No retries inside the provider: the worker's queue backoff retries.
        Assert.Equal(1, _fake.TokenRequests);
        Assert.Empty(Sends);
    }

    [Fact]
    public async Task Invalid_argument_naming_the_token_in_a_field_violation_is_an_invalid_recipient()
    {
        _fake.ReplyNext(400, FcmFake.Bodies.InvalidTokenFieldViolationOnly);

        var outcome = await Provider.SendAsync(Message(), Ct);

        var invalid = Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome);
        Assert.Equal("INVALID_ARGUMENT", invalid.Code);
        Assert.Contains("message.token", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_argument_without_a_field_violation_but_about_the_registration_token_is_an_invalid_recipient()
    {
        _fake.ReplyNext(400, FcmFake.Bodies.InvalidTokenDocumented);

        var outcome = await Provider.SendAsync(Message(), Ct);

        var invalid = Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome);
        Assert.Equal("INVALID_ARGUMENT", invalid.Code);
        Assert.Equal("The registration token is not a valid FCM registration token", invalid.Message);
    }

    [Fact]
    public async Task Invalid_argument_about_a_payload_field_is_permanent_with_the_fcm_code_and_message()
    {
        _fake.ReplyNext(400, FcmFake.Bodies.InvalidDataValue);

        var outcome = await Provider.SendAsync(Message(), Ct);

        var permanent = Assert.IsType<DeliveryOutcome.Permanent>(outcome);
        Assert.Equal("INVALID_ARGUMENT", permanent.Code);
        Assert.Contains("Invalid value at 'message.data[0].value'", permanent.Message, StringComparison.Ordinal);
        Assert.Contains("message.data[0].value", permanent.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_token_in_fcm_error_text_is_kept_out_of_the_outcome()
    {
        _fake.ReplyNext(400, """{"error":{"code":400,"message":"Invalid registration token 'TOKEN'","status":"INVALID_ARGUMENT"}}""".Replace("TOKEN", Token, StringComparison.Ordinal));

        var outcome = await Provider.SendAsync(Message(), Ct);

        var invalid = Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome);
        Assert.DoesNotContain(Token, invalid.Message, StringComparison.Ordinal);
        Assert.Contains("[token]", invalid.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, nameof(FcmFake.Bodies.Unregistered), typeof(DeliveryOutcome.InvalidRecipient), "UNREGISTERED")]
    [InlineData(400, nameof(FcmFake.Bodies.InvalidTokenWithFieldViolation), typeof(DeliveryOutcome.InvalidRecipient), "INVALID_ARGUMENT")]
    [InlineData(400, nameof(FcmFake.Bodies.InvalidTokenFieldViolationOnly), typeof(DeliveryOutcome.InvalidRecipient), "INVALID_ARGUMENT")]
    [InlineData(400, nameof(FcmFake.Bodies.InvalidTokenDocumented), typeof(DeliveryOutcome.InvalidRecipient), "INVALID_ARGUMENT")]
    [InlineData(403, nameof(FcmFake.Bodies.SenderIdMismatch), typeof(DeliveryOutcome.InvalidRecipient), "SENDER_ID_MISMATCH")]
    [InlineData(400, nameof(FcmFake.Bodies.InvalidDataValue), typeof(DeliveryOutcome.Permanent), "INVALID_ARGUMENT")]
    [InlineData(429, nameof(FcmFake.Bodies.QuotaExceeded), typeof(DeliveryOutcome.Transient), "QUOTA_EXCEEDED")]
    [InlineData(429, nameof(FcmFake.Bodies.ResourceExhausted), typeof(DeliveryOutcome.Transient), "RESOURCE_EXHAUSTED")]
    [InlineData(503, nameof(FcmFake.Bodies.Unavailable), typeof(DeliveryOutcome.Transient), "UNAVAILABLE")]
    [InlineData(500, nameof(FcmFake.Bodies.Internal), typeof(DeliveryOutcome.Transient), "INTERNAL")]
    [InlineData(502, nameof(FcmFake.Bodies.BadGatewayHtml), typeof(DeliveryOutcome.Transient), "HTTP_502")]
    [InlineData(401, nameof(FcmFake.Bodies.ThirdPartyAuthError), typeof(DeliveryOutcome.Misconfigured), "THIRD_PARTY_AUTH_ERROR")]
    [InlineData(401, nameof(FcmFake.Bodies.Unauthenticated), typeof(DeliveryOutcome.Misconfigured), "UNAUTHENTICATED")]
    [InlineData(403, nameof(FcmFake.Bodies.PermissionDenied), typeof(DeliveryOutcome.Misconfigured), "PERMISSION_DENIED")]
    [InlineData(404, nameof(FcmFake.Bodies.NotFound), typeof(DeliveryOutcome.Misconfigured), "NOT_FOUND")]
    public async Task Each_fcm_error_maps_to_its_outcome_with_the_fcm_code(int status, string body, Type outcomeType, string code)
    {
        _fake.ReplyNext(status, FcmFake.Bodies.ByName[body]);

        var outcome = await Provider.SendAsync(Message(), Ct);

        Assert.IsType(outcomeType, outcome);
        Assert.Equal(code, outcome switch
        {
            DeliveryOutcome.InvalidRecipient o => o.Code,
            DeliveryOutcome.Permanent o => o.Code,
            DeliveryOutcome.Transient o => o.Code,
            DeliveryOutcome.Misconfigured o => o.Code,
            _ => null,
        });
    }

    [Fact]
    public async Task Unavailable_is_transient_with_the_retry_after_fcm_sent()
    {
        _fake.ReplyNext(503, FcmFake.Bodies.Unavailable, retryAfterSeconds: 30);

        var outcome = await Provider.SendAsync(Message(), Ct);

        Assert.Equal(TimeSpan.FromSeconds(30), Assert.IsType<DeliveryOutcome.Transient>(outcome).RetryAfter);
    }

    [Fact]
    public async Task Quota_exceeded_without_retry_after_waits_at_least_a_minute()
    {
        _fake.ReplyNext(429, FcmFake.Bodies.QuotaExceeded);

        var outcome = await Provider.SendAsync(Message(), Ct);

        Assert.Equal(TimeSpan.FromMinutes(1), Assert.IsType<DeliveryOutcome.Transient>(outcome).RetryAfter);
    }

    [Fact]
    public async Task Unreachable_fcm_is_transient()
    {
        var settings = FcmTestHost.Settings(_fake);
        await using var closed = await FcmFake.StartNewAsync();
        var address = closed.BaseAddress;
        await closed.DisposeAsync();
        settings["Notify:Providers:Fcm:BaseUrl"] = address.ToString();
        await using var host = FcmTestHost.Create(settings, _time);

        var outcome = await host.Provider.SendAsync(Message(), Ct);

        Assert.Equal("connection-failed", Assert.IsType<DeliveryOutcome.Transient>(outcome).Code);
    }
}
