using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Notify.Core.Users;
using Notify.IntegrationTests.Security;

namespace Notify.IntegrationTests.Tracking;

/// <summary>Provider webhooks with real signatures made here: good ones apply, bad, unsigned and stale ones write nothing.</summary>
public sealed class WebhookTests(WebhookTests.Host host) : IClassFixture<WebhookTests.Host>
{
    /// <summary>Twilio callbacks are stale three seconds after the send; one test moves the host's clock past that.</summary>
    public sealed class Host() : TrackingHost(new Dictionary<string, string?> { ["Notify:Webhooks:Twilio:MaxAge"] = "00:00:03" }, services => services.AddSingleton<TimeProvider>(Clock))
    {
        public static ShiftedTime Clock { get; } = new();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Signed_sendgrid_events_move_the_status_forward_and_are_logged_once()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var id = (await host.SendAndWaitAsync(api, template, user, """["email"]"""))["email"];

        var delivered = await host.PostSendGridAsync([TrackingHost.SendGridEvent(id, "delivered"), TrackingHost.SendGridEvent(id, "processed")]);
        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        Assert.Equal("delivered", await TrackingHost.StatusAsync(api, id));

        var open = TrackingHost.SendGridEvent(id, "open");
        Assert.Equal(HttpStatusCode.OK, (await host.PostSendGridAsync([open])).StatusCode);
        // SendGrid retries a post it thinks failed: the same events again change nothing.
        var again = await ApiClient.ReadAsync(await host.PostSendGridAsync([open.DeepClone(), TrackingHost.SendGridEvent(id, "delivered")]));

        Assert.Equal("opened", await TrackingHost.StatusAsync(api, id));
        Assert.Equal(0, again["recorded"]!.GetValue<int>());
        Assert.Equal(2, again["duplicates"]!.GetValue<int>());
        Assert.Equal(["delivered", "opened", "sent"], await host.EventsAsync(id));
        var history = (await api.DeliveryAsync(id))["history"]!.AsArray().Select(h => h!["status"]!.GetValue<string>());
        Assert.Equal(["queued", "sending", "sent", "delivered", "opened"], history);
    }

    [Fact]
    public async Task Unsigned_badly_signed_and_stale_sendgrid_posts_are_401_and_write_nothing()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var id = (await host.SendAndWaitAsync(api, template, user, """["email"]"""))["email"];
        JsonArray Events() => [TrackingHost.SendGridEvent(id, "delivered"), TrackingHost.SendGridEvent(id, "spamreport")];
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var unsigned = await host.PostSendGridAsync(Events(), sign: false);
        var wrongKey = await host.PostSendGridAsync(Events(), key: otherKey);
        var stale = await host.PostSendGridAsync(Events(), signedAt: DateTimeOffset.UtcNow.AddMinutes(-30));
        var future = await host.PostSendGridAsync(Events(), signedAt: DateTimeOffset.UtcNow.AddMinutes(30));

        Assert.All([unsigned, wrongKey, stale, future], r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.Equal("application/problem+json", unsigned.Content.Headers.ContentType?.MediaType);
        Assert.Equal("sent", await TrackingHost.StatusAsync(api, id));
        Assert.Equal(["sent"], await host.EventsAsync(id));
        Assert.False((await host.Service<IUserStore>().GetAsync(user, Ct))!.Profile.EmailInvalid);
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_401()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var id = (await host.SendAndWaitAsync(api, template, user, """["email"]"""))["email"];
        var body = new JsonArray(TrackingHost.SendGridEvent(id, "delivered")).ToJsonString();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = TrackingHost.SendGridKey.SignData(System.Text.Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/sendgrid")
        {
            Content = new StringContent(body.Replace("delivered", "open", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(Notify.Channels.SendGrid.SendGridSignature.SignatureHeader, Convert.ToBase64String(signature));
        request.Headers.Add(Notify.Channels.SendGrid.SendGridSignature.TimestampHeader, timestamp);

        var response = await host.CreateClient().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(["sent"], await host.EventsAsync(id));
    }

    [Fact]
    public async Task A_hard_bounce_marks_the_address_invalid_and_an_unsubscribe_opts_out_of_the_deliverys_category_for_email()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var bounced = await api.NewUserAsync(email: "bounce@example.com");
        var leaving = await api.NewUserAsync(email: "leaving@example.com");
        var bounceId = (await host.SendAndWaitAsync(api, template, bounced, """["email"]"""))["email"];
        var leaveId = (await host.SendAndWaitAsync(api, template, leaving, """["email"]"""))["email"];

        var response = await host.PostSendGridAsync(
        [
            TrackingHost.SendGridEvent(bounceId, "bounce", "bounce@example.com", ("type", "bounce"), ("status", "5.1.1"), ("reason", "550 5.1.1 no such user bounce@example.com")),
            TrackingHost.SendGridEvent(leaveId, "delivered", "leaving@example.com"),
            TrackingHost.SendGridEvent(leaveId, "unsubscribe", "leaving@example.com"),
        ]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bounced", await TrackingHost.StatusAsync(api, bounceId));
        Assert.True((await host.Service<IUserStore>().GetAsync(bounced, Ct))!.Profile.EmailInvalid);
        Assert.DoesNotContain("bounce@example.com", (await api.DeliveryAsync(bounceId)).ToJsonString(), StringComparison.Ordinal);
        var preferences = await api.GetJsonAsync($"/api/v1/users/{leaving}/preferences");
        // The template names no category: transactional goes off for e-mail, not all e-mail.
        Assert.True(preferences["email"]!.GetValue<bool>());
        Assert.Equal("""{"email":false}""", preferences["categories"]!["transactional"]!.ToJsonString());
        Assert.Equal("delivered", await TrackingHost.StatusAsync(api, leaveId));
        // The next notification skips both.
        var (_, next) = await api.SendAsync(TrackingHost.NewEventId(), template, [bounced, leaving], channels: """["email"]""");
        Assert.Equal(["no-contact", "opted-out"], next["deliveries"]!.AsArray().Select(d => d!["reason"]!.GetValue<string>()).Order());
        Assert.Equal("transactional", next["deliveries"]!.AsArray().Single(d => d!["reason"]!.GetValue<string>() == "opted-out")!["category"]!.GetValue<string>());
        var audit = await api.GetJsonAsync("/api/v1/admin/audit?kind=preferences&appKey=sendgrid&pageSize=1000");
        var entry = audit["entries"]!.AsArray().Single(e => e!["target"]!.GetValue<string>() == leaving)!;
        Assert.Equal("sendgrid", entry["appKey"]!.GetValue<string>());
        Assert.DoesNotContain("leaving@example.com", entry.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_spam_report_turns_off_every_category_the_user_may_leave_for_email_and_keeps_the_address_valid()
    {
        var api = await host.NewAppAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/promo-{suffix}", """{"titles":{"en":"Promotions"}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/legal-{suffix}", """{"titles":{"en":"Legal"},"required":true,"requiredReason":"Terms changes"}""")).StatusCode);
        var template = await api.NewTemplateAsync(Preferences.CategoryPreferenceTests.CategoryTemplate($"promo-{suffix}"));
        var user = await api.NewUserAsync(email: "complainer@example.com");
        var id = (await host.SendAndWaitAsync(api, template, user, """["email"]"""))["email"];

        var response = await host.PostSendGridAsync([TrackingHost.SendGridEvent(id, "spamreport", "complainer@example.com")]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await host.Service<IUserStore>().GetAsync(user, Ct))!.Profile.EmailInvalid);
        var categories = (await api.GetJsonAsync($"/api/v1/users/{user}/preferences"))["categories"]!.AsObject();
        Assert.Equal("""{"email":false}""", categories[$"promo-{suffix}"]!.ToJsonString());
        Assert.Equal("""{"email":false}""", categories["transactional"]!.ToJsonString());
        Assert.False(categories.ContainsKey($"legal-{suffix}"));
    }

    [Fact]
    public async Task Signed_twilio_callbacks_apply_and_unsigned_or_badly_signed_ones_are_401()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var failedUser = await api.NewUserAsync(phone: "+821099998888");
        var id = (await host.SendAndWaitAsync(api, template, user, """["sms"]"""))["sms"];
        var failedId = (await host.SendAndWaitAsync(api, template, failedUser, """["sms"]"""))["sms"];
        var delivered = new Dictionary<string, string> { ["MessageSid"] = "outbox-" + id, ["MessageStatus"] = "delivered", ["AccountSid"] = "AC0" };

        var unsigned = await host.PostTwilioAsync(id, delivered, token: null);
        var wrong = await host.PostTwilioAsync(id, delivered, token: "not-the-token");
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("sent", await TrackingHost.StatusAsync(api, id));
        Assert.Equal(["sent"], await host.EventsAsync(id));

        Assert.Equal(HttpStatusCode.OK, (await host.PostTwilioAsync(id, delivered)).StatusCode);
        var failed = new Dictionary<string, string> { ["MessageSid"] = "outbox-" + failedId, ["MessageStatus"] = "undelivered", ["ErrorCode"] = "30005" };
        Assert.Equal(HttpStatusCode.OK, (await host.PostTwilioAsync(failedId, failed)).StatusCode);

        Assert.Equal("delivered", await TrackingHost.StatusAsync(api, id));
        var bounced = await api.DeliveryAsync(failedId);
        Assert.Equal("bounced", bounced["status"]!.GetValue<string>());
        Assert.Contains("30005", bounced["history"]!.AsArray().Last()!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True((await host.Service<IUserStore>().GetAsync(failedUser, Ct))!.Profile.PhoneInvalid);
    }

    [Fact]
    public async Task A_twilio_callback_long_after_the_send_is_stale_401()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var id = (await host.SendAndWaitAsync(api, template, user, """["sms"]"""))["sms"];
        Host.Clock.Advance(TimeSpan.FromSeconds(3.5));

        var response = await host.PostTwilioAsync(id, new Dictionary<string, string> { ["MessageSid"] = "outbox-" + id, ["MessageStatus"] = "delivered" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("sent", await TrackingHost.StatusAsync(api, id));
        Assert.Equal(["sent"], await host.EventsAsync(id));
    }
}
