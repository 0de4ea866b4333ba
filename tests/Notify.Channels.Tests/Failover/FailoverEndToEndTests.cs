using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Notify.Channels.Tests.SendGrid;
using Notify.Channels.Tests.Smtp;
using Notify.Channels.Tests.Twilio;
using Notify.Channels.Tests.Vonage;
using Notify.Core.Apps;
using Notify.LocalHost;

namespace Notify.Channels.Tests.Failover;

/// <summary>
/// The whole pipeline (LocalHost, Azurite) with two providers per channel, each pointed at its fake: a primary that
/// answers 5xx fails over to the secondary, and the delivery shows both attempts; a primary that times out after the
/// request went out is retried on the same provider, never on the secondary; a primary down from the start is called
/// no more often than its circuit breaker allows.
/// </summary>
public sealed class FailoverEndToEndTests : IAsyncLifetime
{
    private const int BreakerMinimumThroughput = 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly SendGridFake _sendGrid = new(SendGridTestHost.ApiKey);
    private readonly SmtpFake _smtp = new(SmtpTestHost.UserName, SmtpTestHost.Password);
    private readonly TwilioFake _twilio = new(TwilioTestHost.AccountSid, TwilioTestHost.AuthToken);
    private readonly VonageFake _vonage = new(VonageTestHost.ApiKey, VonageTestHost.ApiSecret);
    private WebApplicationFactory<LocalHostMarker> _host = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        await _sendGrid.StartAsync();
        await _smtp.StartAsync();
        await _twilio.StartAsync();
        await _vonage.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Storage"] = Azurite.ConnectionString,
            ["Storage:NamePrefix"] = "fo" + Guid.NewGuid().ToString("N")[..8],
            ["LocalHost:Timers"] = "false",
            ["extensions:queues:maxPollingInterval"] = "00:00:00.200",
            ["Notify:Delivery:RetryBaseDelay"] = "00:00:00.200",
            ["Notify:Delivery:RetryMaxDelay"] = "00:00:01",
            ["Notify:Providers:SendGrid:ApiKey"] = SendGridTestHost.ApiKey,
            ["Notify:Providers:SendGrid:FromEmail"] = SendGridTestHost.FromEmail,
            ["Notify:Providers:SendGrid:BaseUrl"] = _sendGrid.BaseAddress.ToString(),
            ["Notify:Providers:Twilio:AccountSid"] = TwilioTestHost.AccountSid,
            ["Notify:Providers:Twilio:AuthToken"] = TwilioTestHost.AuthToken,
            ["Notify:Providers:Twilio:FromNumber"] = TwilioTestHost.FromNumber,
            ["Notify:Providers:Twilio:BaseUrl"] = _twilio.BaseAddress.ToString(),
            // Short enough for the timeout test to see a timeout, long enough that a loaded machine answering 500
            // late is not taken for one (a timeout does not fail over, and would make the counts below differ).
            ["Notify:Providers:Twilio:Timeout"] = "00:00:03",
            ["Notify:Providers:Order:Email"] = "sendgrid,smtp",
            ["Notify:Providers:Order:Sms"] = "twilio,vonage",
            ["Notify:Breakers:MinimumThroughput"] = BreakerMinimumThroughput.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notify:Breakers:SamplingDuration"] = "00:01:00",
            ["Notify:Breakers:BreakDuration"] = "00:01:00",
        };
        foreach (var (key, value) in SmtpTestHost.Settings(_smtp.Port).Concat(VonageTestHost.Settings(_vonage.BaseAddress)))
        {
            settings[key] = value;
        }
        // The contract tests' 1 s would turn a slow answer under load into an unknown outcome (a retry, a duplicate).
        settings["Notify:Providers:Smtp:Timeout"] = "00:00:15";
        settings["Notify:Providers:Vonage:Timeout"] = "00:00:15";
        _host = new WebApplicationFactory<LocalHostMarker>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        var secret = AppSecrets.NewSecret();
        var appKey = "fo-" + Guid.NewGuid().ToString("N")[..8];
        await _host.Services.GetRequiredService<IAppStore>().PutAsync(new AppRecord(appKey, appKey, [AppSecrets.Hash(secret)], Scopes.All, false, DateTimeOffset.UtcNow), Ct);
        _http = _host.CreateClient();
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{appKey}:{secret}")));
        await PutAsync("/api/v1/templates/order-shipped", """
            {"defaultLocale":"en","channels":{
              "email":{"subject":"Order {{ data.order }} shipped","html":"<p>Hi {{ data.name }}</p>","text":"Hi {{ data.name }}"},
              "sms":{"body":"Order {{ data.order }} shipped"}}}
            """);
        await PutAsync("/api/v1/users/ann", """{"email":"ann@example.com","phone":"+14155550123","locale":"en"}""");
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        await _sendGrid.DisposeAsync();
        await _smtp.DisposeAsync();
        await _twilio.DisposeAsync();
        await _vonage.DisposeAsync();
    }

    private async Task PutAsync(string path, string json) =>
        Assert.True((await _http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Ct)).IsSuccessStatusCode, path);

    private async Task<List<string>> NotifyAsync(string eventId)
    {
        var response = await _http.PostAsync("/api/v1/notifications", new StringContent(
            $$$"""{"eventId":"{{{eventId}}}","template":"order-shipped","recipients":["ann"],"data":{"order":"42","name":"Ann"}}""", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return [.. JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>())];
    }

    /// <summary>Waits until every delivery is final (or 30 s pass) and returns their views, keyed by channel.</summary>
    private async Task<Dictionary<string, JsonNode>> FinalAsync(IReadOnlyList<string> ids)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var views = new List<JsonNode>();
            foreach (var id in ids)
            {
                views.Add(JsonNode.Parse(await _http.GetStringAsync($"/api/v1/notifications/{id}", Ct))!);
            }
            if (views.All(v => v["status"]!.GetValue<string>() is "sent" or "failed") || DateTime.UtcNow > deadline)
            {
                return views.ToDictionary(v => v["channel"]!.GetValue<string>());
            }
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>Ann's preferences once <paramref name="condition"/> holds, or as they are after 30 s.</summary>
    private async Task<JsonNode> PreferencesOnceAsync(Func<JsonNode, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var preferences = JsonNode.Parse(await _http.GetStringAsync("/api/v1/users/ann/preferences", Ct))!;
            if (condition(preferences) || DateTime.UtcNow > deadline)
            {
                return preferences;
            }
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>Writes the users in one batch, sends <paramref name="template"/> to them all and returns when their <paramref name="expected"/> deliveries are final (or 120 s pass).</summary>
    private async Task<List<JsonNode>> SendToAllAndWaitAsync(JsonArray users, string eventId, string template, JsonObject data, int expected)
    {
        var batch = await _http.PostAsync("/api/v1/users/batch", new StringContent(new JsonObject { ["users"] = users }.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
        Assert.True(batch.IsSuccessStatusCode);
        var response = await _http.PostAsync("/api/v1/notifications", new StringContent(new JsonObject
        {
            ["eventId"] = eventId,
            ["template"] = template,
            ["recipients"] = new JsonArray([.. users.Select(u => (JsonNode)u!["userId"]!.GetValue<string>())]),
            ["data"] = data,
        }.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            List<JsonNode> deliveries = [.. JsonNode.Parse(await _http.GetStringAsync($"/api/v1/notifications?eventId={eventId}", Ct))!["deliveries"]!.AsArray().Select(d => d!)];
            if (deliveries.Count == expected && deliveries.All(d => d["status"]!.GetValue<string>() is "sent" or "failed") || DateTime.UtcNow > deadline)
            {
                return deliveries;
            }
            await Task.Delay(250, Ct);
        }
    }

    private static List<(string Status, string? Provider)> Outcomes(JsonNode view) =>
        [.. view["history"]!.AsArray()
            .Where(h => h!["status"]!.GetValue<string>() is "retrying" or "sent" or "failed")
            .Select(h => (h!["status"]!.GetValue<string>(), h["provider"]?.GetValue<string>()))];

    [Fact]
    public async Task Primary_answering_5xx_fails_over_and_the_delivery_shows_both_attempts()
    {
        _sendGrid.FailNext(FakeFault.ServerError);
        _twilio.FailNext(FakeFault.ServerError);

        var views = await FinalAsync(await NotifyAsync("fo-5xx"));

        var email = views["email"];
        Assert.Equal("sent", email["status"]!.GetValue<string>());
        Assert.Equal("smtp", email["provider"]!.GetValue<string>());
        Assert.Equal([("retrying", "sendgrid"), ("sent", "smtp")], Outcomes(email));
        var sms = views["sms"];
        Assert.Equal("sent", sms["status"]!.GetValue<string>());
        Assert.Equal("vonage", sms["provider"]!.GetValue<string>());
        Assert.Equal([("retrying", "twilio"), ("sent", "vonage")], Outcomes(sms));
        Assert.Single(_sendGrid.Received);
        Assert.Single(_smtp.Received);
        Assert.Single(_twilio.Received);
        Assert.Single(_vonage.Forms);
    }

    [Fact]
    public async Task Primary_timing_out_after_the_request_was_sent_is_retried_on_the_primary_never_the_secondary()
    {
        _twilio.TimeoutDelay = TimeSpan.FromSeconds(30);
        _twilio.FailNext(FakeFault.Timeout);

        var views = await FinalAsync(await NotifyAsync("fo-timeout"));

        var sms = views["sms"];
        Assert.Equal("sent", sms["status"]!.GetValue<string>());
        Assert.Equal("twilio", sms["provider"]!.GetValue<string>());
        Assert.Equal([("retrying", "twilio"), ("sent", "twilio")], Outcomes(sms));
        Assert.Empty(_vonage.Received);
        Assert.Equal(2, _twilio.Received.Count);
    }

    [Fact]
    public async Task Invalid_recipient_at_the_primary_fails_without_trying_the_secondary()
    {
        _sendGrid.FailNext(FakeFault.InvalidRecipient);

        var views = await FinalAsync(await NotifyAsync("fo-invalid"));

        var email = views["email"];
        Assert.Equal("failed", email["status"]!.GetValue<string>());
        Assert.Equal([("failed", "sendgrid")], Outcomes(email));
        Assert.Empty(_smtp.Received);
        Assert.Equal(0, _smtp.Offers);
    }

    [Fact]
    public async Task Sms_stop_at_the_primary_turns_the_users_sms_preference_off_and_never_reaches_the_secondary()
    {
        await PutAsync("/api/v1/users/ann", $$"""{"email":"ann@example.com","phone":"{{TwilioFake.UnsubscribedNumber}}","locale":"en"}""");

        var first = await FinalAsync(await NotifyAsync("fo-stop-1"));

        var sms = first["sms"];
        Assert.Equal("failed", sms["status"]!.GetValue<string>());
        Assert.Equal([("failed", "twilio")], Outcomes(sms));
        Assert.Empty(_vonage.Received);
        // The failed status is written first, then what follows from it (the preference): wait for the latter.
        var preferences = await PreferencesOnceAsync(p => !p["sms"]!.GetValue<bool>());
        Assert.False(preferences["sms"]!.GetValue<bool>());
        Assert.True(preferences["email"]!.GetValue<bool>());

        var response = await _http.PostAsync("/api/v1/notifications", new StringContent(
            """{"eventId":"fo-stop-2","template":"order-shipped","recipients":["ann"],"data":{"order":"43","name":"Ann"}}""", Encoding.UTF8, "application/json"), Ct);
        var deliveries = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["deliveries"]!.AsArray();
        var second = Assert.Single(deliveries, d => d!["channel"]!.GetValue<string>() == "sms")!;
        Assert.Equal("skipped", second["status"]!.GetValue<string>());
        Assert.Equal("opted-out", second["reason"]!.GetValue<string>());
        Assert.Single(_twilio.Received);
        Assert.Empty(_vonage.Received);
    }

    [Fact]
    public async Task With_both_primaries_failing_from_the_start_a_100_recipient_send_is_delivered_by_the_secondaries()
    {
        // 5xx on every call: the primaries are down for the whole send.
        _sendGrid.FailNext(FakeFault.ServerError, 10_000);
        _twilio.FailNext(FakeFault.ServerError, 10_000);
        var users = new JsonArray();
        for (var i = 0; i < 100; i++)
        {
            users.Add(new JsonObject
            {
                ["userId"] = $"bulk-{i:D3}",
                ["email"] = $"bulk-{i:D3}@example.com",
                ["phone"] = $"+1415555{i:D4}",
            });
        }
        var deliveries = await SendToAllAndWaitAsync(users, "fo-bulk", "order-shipped", new JsonObject { ["order"] = "42", ["name"] = "Ann" }, expected: 200);

        Assert.Equal(200, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal("sent", d["status"]!.GetValue<string>()));
        Assert.Equal(100, deliveries.Count(d => d["provider"]?.GetValue<string>() == "smtp"));
        Assert.Equal(100, deliveries.Count(d => d["provider"]?.GetValue<string>() == "vonage"));
        Assert.Equal(100, _smtp.Received.Select(m => m.To[0]).Distinct().Count());
        Assert.Equal(100, _vonage.Forms.Select(f => f["to"]).Distinct().Count());
        Assert.Equal(100, _vonage.Forms.Count);
        Assert.Equal(100, _smtp.Received.Count);
        // The breaker stops the primaries after MinimumThroughput failures plus the sends in flight when it opened: the
        // docs/delivery.md's bound for one instance, MinimumThroughput + ParallelismPerMessage x concurrent messages (here the
        // 4 queue messages of 32 deliveries each channel's 100 deliveries travel in), instead of one call per delivery.
        var bound = BreakerMinimumThroughput + 8 * 4;
        Assert.InRange(_sendGrid.Received.Count, BreakerMinimumThroughput, bound);
        Assert.InRange(_twilio.Received.Count, BreakerMinimumThroughput, bound);
        TestContext.Current.SendDiagnosticMessage($"Primary calls with the primaries down from the start: sendgrid {_sendGrid.Received.Count}, twilio {_twilio.Received.Count} (bound {bound}).");
    }

    [Fact]
    public async Task With_the_primarys_front_end_answering_503_html_every_one_of_100_sms_is_sent_by_the_secondary()
    {
        // Twilio down behind its front end: every request gets the gateway's HTML page, never Twilio's JSON error.
        _twilio.FrontEndOutage = FrontEndAnswer.HtmlPage(503);
        await PutAsync("/api/v1/templates/sms-only", """{"defaultLocale":"en","channels":{"sms":{"body":"Code {{ data.code }}"}}}""");
        var users = new JsonArray();
        for (var i = 0; i < 100; i++)
        {
            users.Add(new JsonObject { ["userId"] = $"html-{i:D3}", ["phone"] = $"+1415666{i:D4}" });
        }
        var deliveries = await SendToAllAndWaitAsync(users, "fo-html", "sms-only", new JsonObject { ["code"] = "123456" }, expected: 100);

        Assert.Equal(100, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal("sent", d["status"]!.GetValue<string>()));
        Assert.Equal(100, deliveries.Count(d => d["provider"]?.GetValue<string>() == "vonage"));
        Assert.Equal(100, _vonage.Forms.Select(f => f["to"]).Distinct().Count());
        Assert.Equal(100, _vonage.Forms.Count);
        Assert.Empty(_twilio.Accepted);
        TestContext.Current.SendDiagnosticMessage($"Twilio calls behind its failing front end: {_twilio.Received.Count}.");
    }
}
