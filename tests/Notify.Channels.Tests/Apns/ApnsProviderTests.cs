using System.Buffers.Text;
using Microsoft.Extensions.Time.Testing;
using Notify.Channels.Apns;
using Notify.Core.Templates;

namespace Notify.Channels.Tests.Apns;

/// <summary>What only APNs does: its HTTP/2 request and headers, its provider JWT, and its reasons.</summary>
public sealed class ApnsProviderTests : IAsyncLifetime
{
    private const string Token = "740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad";
    private const string DeliveryId = "0123456789abcdefghijklmn-1";

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private ApnsFake _fake = null!;
    private ProviderHost _host = null!;

    private IDeliveryProvider Provider => _host.Provider;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _fake = await ApnsFake.StartNewAsync(_time);
        _host = ApnsTestHost.Create(_fake, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _fake.DisposeAsync();
    }

    private static OutgoingMessage Message(Priority priority = Priority.Normal, IReadOnlyDictionary<string, string>? data = null, string token = Token, string body = "Your order shipped") => new(
        DeliveryId,
        Channel.Push,
        "user-1",
        token,
        new RenderedContent(Title: "Hello Ann", Body: body, Data: data ?? new Dictionary<string, string> { ["orderId"] = "42" }),
        priority)
    {
        Platform = DevicePlatform.Apns,
    };

    private static string Jwt(ReceivedRequest request) => request.Headers["authorization"]["bearer ".Length..];

    [Fact]
    public void Claims_apns_push_only()
    {
        Assert.True(Provider.CanSend(Channel.Push, DevicePlatform.Apns));
        Assert.False(Provider.CanSend(Channel.Push, DevicePlatform.Fcm));
        Assert.False(Provider.CanSend(Channel.Push, null));
        Assert.False(Provider.CanSend(Channel.Sms, DevicePlatform.Apns));
    }

    [Fact]
    public async Task Rendered_message_becomes_an_http2_post_with_the_apns_headers_and_payload()
    {
        var outcome = await Provider.SendAsync(Message(), Ct);

        Assert.IsType<DeliveryOutcome.Sent>(outcome);
        var request = Assert.Single(_fake.Received);
        Assert.Equal("POST", request.Method);
        Assert.Equal("HTTP/2", request.Protocol);
        Assert.Equal($"/3/device/{Token}", request.Path);
        Assert.StartsWith("bearer ", request.Headers["authorization"], StringComparison.Ordinal);
        Assert.Equal(ApnsFake.Topic, request.Headers["apns-topic"]);
        Assert.Equal("alert", request.Headers["apns-push-type"]);
        Assert.Equal("5", request.Headers["apns-priority"]);
        Assert.Equal(Start.AddHours(24).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), request.Headers["apns-expiration"]);
        Assert.Equal(ApnsMessages.ApnsId(DeliveryId).ToString("D"), request.Headers["apns-id"]);
        Assert.False(request.Headers.ContainsKey("apns-collapse-id"));
        Assert.Equal("application/json", request.Headers["content-type"]);
        var expected = JsonNode.Parse("""{"aps":{"alert":{"title":"Hello Ann","body":"Your order shipped"}},"orderId":"42"}""");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(request.Body)), request.Body);
    }

    [Fact]
    public async Task High_priority_and_a_collapse_id_in_the_data_set_their_headers()
    {
        var data = new Dictionary<string, string> { ["orderId"] = "42", [ApnsMessages.CollapseIdKey] = "order-42" };

        await Provider.SendAsync(Message(Priority.High, data), Ct);

        var request = Assert.Single(_fake.Received);
        Assert.Equal("10", request.Headers["apns-priority"]);
        Assert.Equal("order-42", request.Headers["apns-collapse-id"]);
    }

    [Fact]
    public async Task Data_cannot_replace_the_aps_dictionary()
    {
        await Provider.SendAsync(Message(data: new Dictionary<string, string> { ["aps"] = "overwritten", ["k"] = "v" }), Ct);

        var payload = JsonNode.Parse(Assert.Single(_fake.Received).Body)!;
        Assert.Equal("Hello Ann", payload["aps"]!["alert"]!["title"]!.GetValue<string>());
        Assert.Equal("v", payload["k"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sent_carries_the_apns_id_which_is_the_same_for_every_attempt_at_a_delivery()
    {
        var first = await Provider.SendAsync(Message(), Ct);
        var again = await Provider.SendAsync(Message(), Ct);

        var id = Assert.IsType<DeliveryOutcome.Sent>(first).ProviderMessageId;
        Assert.Equal(id, Assert.IsType<DeliveryOutcome.Sent>(again).ProviderMessageId);
        Assert.True(Guid.TryParse(id, out var guid));
        Assert.Equal(8, guid.Version);
        Assert.NotEqual(ApnsMessages.ApnsId(DeliveryId), ApnsMessages.ApnsId("0123456789abcdefghijklmn-2"));
    }

    [Fact]
    public async Task Provider_token_is_an_es256_jwt_with_kid_iss_and_iat_that_verifies_with_the_public_key()
    {
        await Provider.SendAsync(Message(), Ct);

        var parts = Jwt(Assert.Single(_fake.Received)).Split('.');
        Assert.Equal(3, parts.Length);
        using var publicKey = _fake.PublicKey;
        var signature = Base64Url.DecodeFromChars(parts[2]);
        Assert.Equal(64, signature.Length);
        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256));
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject();
        Assert.Equal("ES256", header["alg"]!.GetValue<string>());
        Assert.Equal(ApnsFake.KeyId, header["kid"]!.GetValue<string>());
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        Assert.Equal(ApnsFake.TeamId, claims["iss"]!.GetValue<string>());
        Assert.Equal(Start.ToUnixTimeSeconds(), claims["iat"]!.GetValue<long>());
    }

    [Fact]
    public async Task One_jwt_serves_many_sends_even_concurrent_ones()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Provider.SendAsync(Message(), Ct)));

        Assert.All(outcomes, o => Assert.IsType<DeliveryOutcome.Sent>(o));
        Assert.Single(_fake.Received.Select(Jwt).Distinct());
    }

    [Fact]
    public async Task Jwt_is_kept_for_44_minutes_and_replaced_by_50()
    {
        Assert.IsType<DeliveryOutcome.Sent>(await Provider.SendAsync(Message(), Ct));
        _time.Advance(TimeSpan.FromMinutes(44));
        Assert.IsType<DeliveryOutcome.Sent>(await Provider.SendAsync(Message(), Ct));
        _time.Advance(TimeSpan.FromMinutes(6));
        var outcome = await Provider.SendAsync(Message(), Ct);

        Assert.IsType<DeliveryOutcome.Sent>(outcome);
        var jwts = _fake.Received.Select(Jwt).ToList();
        Assert.Equal(jwts[0], jwts[1]);
        Assert.NotEqual(jwts[1], jwts[2]);
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(jwts[2].Split('.')[1]))!;
        Assert.Equal(Start.AddMinutes(50).ToUnixTimeSeconds(), claims["iat"]!.GetValue<long>());
    }

    [Fact]
    public async Task Expired_provider_token_is_renewed_and_the_send_repeated_once()
    {
        // Our clock runs slow: at 44 minutes by ours the cached token is still good, but APNs, at 61 minutes,
        // calls it expired. The renewed token is dated by our clock, 17 minutes old by APNs', and passes.
        var apnsClock = new FakeTimeProvider(Start);
        await using var fake = await ApnsFake.StartNewAsync(apnsClock);
        await using var host = ApnsTestHost.Create(fake, _time);
        Assert.IsType<DeliveryOutcome.Sent>(await host.Provider.SendAsync(Message(), Ct));
        _time.Advance(TimeSpan.FromMinutes(44));
        apnsClock.Advance(TimeSpan.FromMinutes(61));

        var outcome = await host.Provider.SendAsync(Message(), Ct);

        Assert.IsType<DeliveryOutcome.Sent>(outcome);
        var jwts = fake.Received.Select(Jwt).ToList();
        Assert.Equal(3, jwts.Count);
        Assert.Equal(jwts[0], jwts[1]);
        Assert.NotEqual(jwts[1], jwts[2]);
    }

    [Fact]
    public async Task Expired_provider_token_again_after_renewal_is_misconfiguration_after_two_attempts()
    {
        // APNs' clock is two hours ahead of ours: every token we sign is expired by its reckoning.
        var apnsClock = new FakeTimeProvider(Start.AddHours(2));
        await using var fake = await ApnsFake.StartNewAsync(apnsClock);
        await using var host = ApnsTestHost.Create(fake, _time);

        var outcome = await host.Provider.SendAsync(Message(), Ct);

        var misconfigured = Assert.IsType<DeliveryOutcome.Misconfigured>(outcome);
        Assert.Equal("ExpiredProviderToken", misconfigured.Code);
        Assert.Equal(2, fake.Received.Count);
        Assert.NotEqual(Jwt(fake.Received[0]), Jwt(fake.Received[1]));
    }

    [Theory]
    [InlineData(410, "Unregistered", typeof(DeliveryOutcome.InvalidRecipient))]
    [InlineData(410, "ExpiredToken", typeof(DeliveryOutcome.InvalidRecipient))]
    [InlineData(400, "BadDeviceToken", typeof(DeliveryOutcome.InvalidRecipient))]
    [InlineData(400, "DeviceTokenNotForTopic", typeof(DeliveryOutcome.InvalidRecipient))]
    [InlineData(403, "InvalidProviderToken", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData(403, "BadEnvironmentKeyInToken", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData(403, "MissingProviderToken", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData(400, "TopicDisallowed", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData(400, "BadTopic", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData(429, "TooManyRequests", typeof(DeliveryOutcome.Transient))]
    [InlineData(429, "TooManyProviderTokenUpdates", typeof(DeliveryOutcome.Transient))]
    [InlineData(500, "InternalServerError", typeof(DeliveryOutcome.Transient))]
    [InlineData(503, "ServiceUnavailable", typeof(DeliveryOutcome.Transient))]
    [InlineData(503, "Shutdown", typeof(DeliveryOutcome.Transient))]
    [InlineData(400, "BadCollapseId", typeof(DeliveryOutcome.Permanent))]
    [InlineData(400, "BadExpirationDate", typeof(DeliveryOutcome.Permanent))]
    [InlineData(400, "PayloadEmpty", typeof(DeliveryOutcome.Permanent))]
    [InlineData(413, "PayloadTooLarge", typeof(DeliveryOutcome.Permanent))]
    public async Task Each_apns_reason_maps_to_its_outcome_with_the_reason_as_code(int status, string reason, Type outcomeType)
    {
        _fake.ReplyNext(status, reason);

        var outcome = await Provider.SendAsync(Message(), Ct);

        Assert.IsType(outcomeType, outcome);
        Assert.Equal(reason, outcome switch
        {
            DeliveryOutcome.InvalidRecipient o => o.Code,
            DeliveryOutcome.Permanent o => o.Code,
            DeliveryOutcome.Transient o => o.Code,
            DeliveryOutcome.Misconfigured o => o.Code,
            _ => null,
        });
        Assert.Single(_fake.Received);
    }

    [Fact]
    public async Task Unregistered_says_since_when_the_token_is_invalid()
    {
        var since = new DateTimeOffset(2026, 2, 20, 8, 30, 0, TimeSpan.Zero);
        _fake.ReplyNext(410, "Unregistered", since.ToUnixTimeMilliseconds());

        var outcome = await Provider.SendAsync(Message(), Ct);

        var invalid = Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome);
        Assert.Equal("Unregistered", invalid.Code);
        Assert.Contains("2026-02-20T08:30:00.0000000+00:00", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_that_is_not_hex_is_an_invalid_recipient()
    {
        var outcome = await Provider.SendAsync(Message(token: "not-a-device-token"), Ct);

        Assert.Equal("BadDeviceToken", Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome).Code);
    }

    [Fact]
    public async Task Payload_over_4096_bytes_is_permanent()
    {
        var outcome = await Provider.SendAsync(Message(body: new string('x', ApnsFake.MaxPayloadBytes)), Ct);

        Assert.Equal("PayloadTooLarge", Assert.IsType<DeliveryOutcome.Permanent>(outcome).Code);
    }

    [Fact]
    public async Task Zero_time_to_live_asks_apns_to_try_once()
    {
        await using var host = ApnsTestHost.Create(_fake, _time, change: s => s["Notify:Providers:Apns:TimeToLive"] = "00:00:00");

        await host.Provider.SendAsync(Message(), Ct);

        Assert.Equal("0", Assert.Single(_fake.Received).Headers["apns-expiration"]);
    }

    [Fact]
    public async Task Certificate_that_does_not_validate_is_refused_as_a_connection_failure()
    {
        // Registered as in production: the fake's self-signed certificate is not trusted.
        await using var host = ApnsTestHost.Create(_fake, _time, trustFakeCertificate: false);

        var outcome = await host.Provider.SendAsync(Message(), Ct);

        Assert.Equal("connection-failed", Assert.IsType<DeliveryOutcome.Transient>(outcome).Code);
        Assert.Empty(_fake.Received);
    }
}
