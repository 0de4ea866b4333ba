using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Notify.Channels.Tests.Fcm;
using Notify.Channels.Tests.SendGrid;
using Notify.Channels.Tests.Smtp;
using Notify.Channels.Tests.Twilio;
using Notify.Channels.Tests.Vonage;
using Notify.Core.Apps;
using Notify.Core.Breakers;
using Notify.LocalHost;
using Polly.CircuitBreaker;

namespace Notify.Channels.Tests.Failover;

/// <summary>
/// The circuit breakers under an outage in the middle of a run, one test per channel (LocalHost, Azurite, the fakes):
/// 300 deliveries in requests of 20, each sent once the one before is final, or, during the outage, once a probe went
/// out since (so the breaker sees traffic in every phase). After 60 healthy deliveries the primary answers 500 until
/// the breaker opens and probes; then it hangs (probes time out), then answers 401, then recovers; the last 60 are
/// sent once it recovered. Every delivery ends
/// sent, once, by one of the channel's providers; the breaker opened and closed; the primary got no call while its
/// breaker was open except the half-open probes and, right after the first open, the sends already in flight
/// (docs/delivery.md: Circuit breakers).
/// </summary>
[Trait("Kind", "Fault")]
public sealed class BreakerFaultTests
{
    private const int Requests = 15;
    private const int PerRequest = 20;
    private const int Deliveries = Requests * PerRequest;

    /// <summary>Sends in flight when the breaker opens: ParallelismPerMessage (8) per queue message, one message per request of 20.</summary>
    private const int InFlightBound = 8 * 2;

    /// <summary>How long a request sent during the outage waits for a probe once final: more than BreakDuration plus StateCacheDuration.</summary>
    private static readonly TimeSpan PacingDuringOutage = TimeSpan.FromSeconds(1.5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Arrival(CircuitState State, long ProbesBefore);

    /// <summary>What a run gave: deliveries by provider, recipients each provider took, the primary's arrivals and the breaker's transitions.</summary>
    private sealed record RunResult(
        IReadOnlyList<(string Status, string? Provider)> Deliveries,
        IReadOnlyList<string> TakenBy,
        int PrimaryTook,
        IReadOnlyList<Arrival> PrimaryArrivals,
        long Opened,
        long Probes,
        long Closed);

    private sealed class Run : IAsyncDisposable
    {
        private readonly Dictionary<string, long> _transitions = new(StringComparer.Ordinal);
        private readonly List<Arrival> _arrivals = [];
        private MeterListener? _listener;
        private WebApplicationFactory<LocalHostMarker> _host = null!;
        private Channel _channel;

        public HttpClient Http { get; private set; } = null!;

        public long Count(string state)
        {
            lock (_transitions)
            {
                return _transitions.GetValueOrDefault(state);
            }
        }

        public IReadOnlyList<Arrival> Arrivals
        {
            get
            {
                lock (_arrivals)
                {
                    return [.. _arrivals];
                }
            }
        }

        public async Task StartAsync(Dictionary<string, string?> settings, FakeProviderServer primary, string primaryName, Channel channel, Func<ReceivedRequest, bool> isSend)
        {
            _channel = channel;
            settings["Storage"] = Azurite.ConnectionString;
            settings["Storage:NamePrefix"] = "bk" + Guid.NewGuid().ToString("N")[..8];
            settings["LocalHost:Timers"] = "false";
            settings["extensions:queues:maxPollingInterval"] = "00:00:00.200";
            settings["Notify:Delivery:RetryBaseDelay"] = "00:00:00.100";
            settings["Notify:Delivery:RetryMaxDelay"] = "00:00:00.500";
            settings["Notify:Delivery:MaxAttempts"] = "10";
            settings["Notify:RateLimits:Default:" + (channel == Channel.Push ? "Push" : channel == Channel.Email ? "Email" : "Sms")] = "1000";
            // Small windows keep the run short: the breaker opens after 10 sends of which half failed within 10 s
            // (a loaded machine takes about a second per wave), stays open half a second, and a probe is reserved for
            // longer than a provider's 3 s timeout.
            settings["Notify:Breakers:MinimumThroughput"] = "10";
            settings["Notify:Breakers:FailureRatio"] = "0.5";
            settings["Notify:Breakers:SamplingDuration"] = "00:00:10";
            settings["Notify:Breakers:BreakDuration"] = "00:00:00.500";
            settings["Notify:Breakers:StateCacheDuration"] = "00:00:00.200";
            settings["Notify:Breakers:ProbeLease"] = "00:00:05";
            settings["Notify:Breakers:MaxWait"] = "00:00:00.500";
            // The run polls every request's deliveries many times a second (far past the app's default request quota,
            // which answers 429): the quota is not what this test is about.
            settings["Notify:Security:Quota:RequestsPerSecond"] = "100000";
            settings["Notify:Security:Quota:Burst"] = "100000";
            _host = new WebApplicationFactory<LocalHostMarker>().WithWebHostBuilder(builder =>
            {
                foreach (var (key, value) in settings)
                {
                    builder.UseSetting(key, value);
                }
            });
            var services = _host.Services;
            var meters = services.GetRequiredService<IMeterFactory>();
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "notify.breaker.transitions")
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string? provider = null, state = null;
                foreach (var tag in tags)
                {
                    provider = tag.Key == "provider" ? tag.Value as string : provider;
                    state = tag.Key == "state" ? tag.Value as string : state;
                }
                if (provider == primaryName && state is not null)
                {
                    lock (_transitions)
                    {
                        _transitions[state] = _transitions.GetValueOrDefault(state) + value;
                    }
                }
            });
            _listener.Start();
            var breaker = services.GetRequiredService<ProviderBreakers>().For(primaryName, channel);
            primary.OnRequest = request =>
            {
                if (isSend(request))
                {
                    var arrival = new Arrival(breaker.Circuit, Count("probe"));
                    lock (_arrivals)
                    {
                        _arrivals.Add(arrival);
                    }
                }
            };
            var secret = AppSecrets.NewSecret();
            var appKey = "bk-" + Guid.NewGuid().ToString("N")[..8];
            await services.GetRequiredService<IAppStore>().PutAsync(new AppRecord(appKey, appKey, [AppSecrets.Hash(secret)], Scopes.All, false, DateTimeOffset.UtcNow), Ct);
            Http = _host.CreateClient();
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{appKey}:{secret}")));
            await PutAsync("/api/v1/templates/order-shipped", """
                {"defaultLocale":"en","channels":{
                  "push":{"title":"Order {{ data.order }}","body":"Shipped"},
                  "email":{"subject":"Order {{ data.order }} shipped","html":"<p>Hi</p>","text":"Hi"},
                  "sms":{"body":"Order {{ data.order }} shipped"}}}
                """);
            var users = new JsonArray();
            for (var i = 0; i < Deliveries; i++)
            {
                var user = new JsonObject { ["userId"] = User(i) };
                switch (channel)
                {
                    case Channel.Email:
                        user["email"] = $"{User(i)}@example.com";
                        break;
                    case Channel.Sms:
                        user["phone"] = Phone(i);
                        break;
                    default:
                        user["devices"] = new JsonArray(new JsonObject { ["token"] = Token(i), ["platform"] = "fcm" });
                        break;
                }
                users.Add(user);
            }
            var batch = await Http.PostAsync("/api/v1/users/batch", new StringContent(new JsonObject { ["users"] = users }.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
            Assert.True(batch.IsSuccessStatusCode);
        }

        private async Task PutAsync(string path, string json) =>
            Assert.True((await Http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Ct)).IsSuccessStatusCode, path);

        public async Task SendAsync(int request)
        {
            var recipients = new JsonArray([.. Enumerable.Range(request * PerRequest, PerRequest).Select(i => (JsonNode)User(i))]);
            var response = await Http.PostAsync("/api/v1/notifications", new StringContent(new JsonObject
            {
                ["eventId"] = EventId(request),
                ["template"] = "order-shipped",
                ["recipients"] = recipients,
                ["channels"] = new JsonArray(_channel.ToName()),
                ["data"] = new JsonObject { ["order"] = request.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            }.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        public async Task<List<(string Status, string? Provider)>> DeliveriesAsync(int request) =>
            [.. JsonNode.Parse(await Http.GetStringAsync($"/api/v1/notifications?eventId={EventId(request)}", Ct))!["deliveries"]!.AsArray()
                .Select(d => (d!["status"]!.GetValue<string>(), d["provider"]?.GetValue<string>()))];

        public async Task<bool> FinalAsync(int request)
        {
            var deliveries = await DeliveriesAsync(request);
            return deliveries.Count == PerRequest && deliveries.All(d => d.Status is "sent" or "failed" or "dead-lettered");
        }

        public async ValueTask DisposeAsync()
        {
            _listener?.Dispose();
            Http?.Dispose();
            if (_host is not null)
            {
                await _host.DisposeAsync();
            }
        }
    }

    private static string User(int i) => $"bk-{i:D3}";

    private static string Phone(int i) => $"+1415556{i:D4}";

    private static string Token(int i) => $"fcm-token-breaker-{i:D3}-0123456789";

    private static string EventId(int request) => $"bk-{request:D2}";

    /// <summary>
    /// Sends the 300 deliveries and plays the outage: 500 from the 4th request until the breaker opened and sent a
    /// probe, then a hang until the next probe, then 401 until the next, then healthy. A request goes once the one
    /// before is final or, during the outage, once a new probe went out; the run gives up after 3 minutes.
    /// </summary>
    private static async Task<RunResult> PlayAsync(Run run, FakeProviderServer primary, Func<IReadOnlyList<ReceivedRequest>, IEnumerable<string>> primaryTook, Func<IEnumerable<string>> secondaryTook)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        FakeFault[] phases = [FakeFault.ServerError, FakeFault.Timeout, FakeFault.AuthFailure, FakeFault.None];
        var phase = -1;
        long probesAtPhase = 0;
        void Advance()
        {
            if (phase < 0 || phase >= phases.Length - 1)
            {
                return;
            }
            // The 500s last until the breaker opened and probed; each later fault until the next probe.
            if (run.Count("probe") > probesAtPhase && (phase > 0 || run.Count("opened") > 0))
            {
                phase++;
                probesAtPhase = run.Count("probe");
                primary.OutageFault = phases[phase];
            }
        }
        for (var request = 0; request < Requests; request++)
        {
            if (request == 3)
            {
                phase = 0;
                primary.OutageFault = phases[0];
            }
            // The last requests wait for the primary's recovery, so the outage is a stretch in the middle of the run;
            // they go once it has recovered, not once the breaker closed: the breaker needs traffic to probe.
            while (request >= Requests - 3 && run.Count("closed") == 0 && phase < phases.Length - 1)
            {
                Advance();
                Assert.True(DateTime.UtcNow < deadline, $"the outage did not end in time (phase {phase}, {run.Count("probe")} probes)");
                await Task.Delay(50, Ct);
            }
            await run.SendAsync(request);
            var sentAt = DateTime.UtcNow;
            var probes = run.Count("probe");
            // During the outage a request that failed over at once is not enough to go on: the breaker probes only
            // when a send arrives after its break, and a hanging probe holds the primary for its whole timeout. Were
            // the outage's requests all over within that time, the primary would see no traffic left to probe with
            // and the outage could not end; so each one waits for a probe or for PacingDuringOutage.
            while (!(await run.FinalAsync(request) && (phase is < 0 or >= 3 || DateTime.UtcNow - sentAt >= PacingDuringOutage))
                && !(phase is >= 0 and < 3 && run.Count("probe") > probes))
            {
                Advance();
                Assert.True(DateTime.UtcNow < deadline, $"request {request} not final in time (phase {phase})");
                await Task.Delay(50, Ct);
            }
            Advance();
        }
        while (true)
        {
            Advance();
            var finals = 0;
            for (var request = 0; request < Requests; request++)
            {
                finals += await run.FinalAsync(request) ? 1 : 0;
            }
            if (finals == Requests && phase == phases.Length - 1 && run.Count("closed") > 0)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"not done in time: {finals} of {Requests} requests final, outage phase {phase}, breaker {run.Count("opened")} opened / {run.Count("probe")} probes / {run.Count("closed")} closed");
            await Task.Delay(100, Ct);
        }
        var deliveries = new List<(string Status, string? Provider)>();
        for (var request = 0; request < Requests; request++)
        {
            deliveries.AddRange(await run.DeliveriesAsync(request));
        }
        var tookPrimary = primaryTook(primary.Accepted).ToList();
        return new RunResult(deliveries, [.. tookPrimary, .. secondaryTook()], tookPrimary.Count, run.Arrivals, run.Count("opened"), run.Count("probe"), run.Count("closed"));
    }

    private static void AssertOutageHandled(RunResult result, IReadOnlyList<string> recipients, params string[] providers)
    {
        // 0 lost: every delivery ended sent, by one of the channel's providers.
        Assert.Equal(Deliveries, result.Deliveries.Count);
        Assert.All(result.Deliveries, d => Assert.Equal("sent", d.Status));
        Assert.All(result.Deliveries, d => Assert.Contains(d.Provider, providers));
        // 0 duplicated: the providers together took each recipient exactly once.
        Assert.Equal(recipients.Order(StringComparer.Ordinal), result.TakenBy.Order(StringComparer.Ordinal));
        // The breaker opened and closed.
        Assert.True(result.Opened >= 1, "the breaker opened");
        Assert.True(result.Closed >= 1, "the breaker closed");
        // While open the primary got only the probes (half-open), and right after the first open only the sends
        // already in flight then; none once probing began.
        var whileOpen = result.PrimaryArrivals.Where(a => a.State == CircuitState.Open).ToList();
        Assert.InRange(whileOpen.Count(a => a.ProbesBefore == 0), 0, InFlightBound);
        Assert.DoesNotContain(whileOpen, a => a.ProbesBefore > 0);
        Assert.InRange(result.PrimaryArrivals.Count(a => a.State == CircuitState.HalfOpen), 1, result.Probes);
        // Before it opened: the bound in docs/delivery.md, max(MinimumThroughput, successes in the window x ratio / (1 - ratio))
        // plus the sends in flight, here with the 60 healthy sends before the outage in the 10 s window; then the probes.
        Assert.InRange(result.PrimaryArrivals.Count - result.PrimaryTook, 10, Math.Max(10, 60) + InFlightBound + result.Probes);
        TestContext.Current.SendDiagnosticMessage(
            $"BREAKER-FIGURES {string.Join(",", providers)}: {result.Deliveries.Count(d => d.Status == "sent")} sent " +
            $"({string.Join(", ", providers.Select(p => $"{p} {result.Deliveries.Count(d => d.Provider == p)}"))}), " +
            $"{result.TakenBy.Count - result.TakenBy.Distinct().Count()} duplicated, primary calls {result.PrimaryArrivals.Count}: " +
            $"{result.PrimaryTook} taken, {result.PrimaryArrivals.Count - result.PrimaryTook} failed; while open {whileOpen.Count} (in flight at the open) " +
            $"+ {result.PrimaryArrivals.Count(a => a.State == CircuitState.HalfOpen)} half-open probes; " +
            $"breaker opened {result.Opened}, probes {result.Probes}, closed {result.Closed}");
    }

    [Fact]
    public async Task Email_outage_at_sendgrid_fails_over_to_smtp_while_the_breaker_is_open_and_loses_or_repeats_nothing()
    {
        await using var sendGrid = new SendGridFake(SendGridTestHost.ApiKey) { TimeoutDelay = TimeSpan.FromSeconds(30) };
        await using var smtp = new SmtpFake(SmtpTestHost.UserName, SmtpTestHost.Password);
        await sendGrid.StartAsync();
        await smtp.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Notify:Providers:SendGrid:ApiKey"] = SendGridTestHost.ApiKey,
            ["Notify:Providers:SendGrid:FromEmail"] = SendGridTestHost.FromEmail,
            ["Notify:Providers:SendGrid:BaseUrl"] = sendGrid.BaseAddress.ToString(),
            ["Notify:Providers:SendGrid:Timeout"] = "00:00:03",
            ["Notify:Providers:Order:Email"] = "sendgrid,smtp",
        };
        foreach (var (key, value) in SmtpTestHost.Settings(smtp.Port))
        {
            settings[key] = value;
        }
        settings["Notify:Providers:Smtp:Timeout"] = "00:00:15";
        await using var run = new Run();
        await run.StartAsync(settings, sendGrid, "sendgrid", Channel.Email, r => r.Path == "/v3/mail/send");

        var result = await PlayAsync(run, sendGrid,
            accepted => accepted.Select(r => JsonNode.Parse(r.Body)!["personalizations"]![0]!["to"]![0]!["email"]!.GetValue<string>()),
            () => smtp.Received.Select(m => m.To[0]));

        AssertOutageHandled(result, [.. Enumerable.Range(0, Deliveries).Select(i => $"{User(i)}@example.com")], "sendgrid", "smtp");
    }

    [Fact]
    public async Task Sms_outage_at_twilio_fails_over_to_vonage_while_the_breaker_is_open_and_loses_or_repeats_nothing()
    {
        await using var twilio = new TwilioFake(TwilioTestHost.AccountSid, TwilioTestHost.AuthToken) { TimeoutDelay = TimeSpan.FromSeconds(30) };
        await using var vonage = new VonageFake(VonageTestHost.ApiKey, VonageTestHost.ApiSecret);
        await twilio.StartAsync();
        await vonage.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Notify:Providers:Twilio:AccountSid"] = TwilioTestHost.AccountSid,
            ["Notify:Providers:Twilio:AuthToken"] = TwilioTestHost.AuthToken,
            ["Notify:Providers:Twilio:FromNumber"] = TwilioTestHost.FromNumber,
            ["Notify:Providers:Twilio:BaseUrl"] = twilio.BaseAddress.ToString(),
            ["Notify:Providers:Twilio:Timeout"] = "00:00:03",
            ["Notify:Providers:Order:Sms"] = "twilio,vonage",
        };
        foreach (var (key, value) in VonageTestHost.Settings(vonage.BaseAddress))
        {
            settings[key] = value;
        }
        settings["Notify:Providers:Vonage:Timeout"] = "00:00:15";
        await using var run = new Run();
        await run.StartAsync(settings, twilio, "twilio", Channel.Sms, r => r.Method == "POST" && r.Path.EndsWith("/Messages.json", StringComparison.Ordinal));

        var result = await PlayAsync(run, twilio,
            accepted => accepted.Where(r => r.Path.EndsWith("/Messages.json", StringComparison.Ordinal)).Select(r => QueryHelpers.ParseQuery(r.Body)["To"].ToString()),
            () => vonage.Accepted.Select(r => QueryHelpers.ParseQuery(r.Body)["to"].ToString()));

        // Vonage takes numbers without the '+'.
        AssertOutageHandled(result with { TakenBy = [.. result.TakenBy.Select(n => n.StartsWith('+') ? n : "+" + n)] },
            [.. Enumerable.Range(0, Deliveries).Select(Phone)], "twilio", "vonage");
    }

    [Fact]
    public async Task Push_outage_at_fcm_holds_the_deliveries_without_spending_attempts_while_the_breaker_is_open_and_loses_or_repeats_nothing()
    {
        await using var fcm = await FcmFake.StartNewAsync();
        fcm.TimeoutDelay = TimeSpan.FromSeconds(30);
        var settings = FcmTestHost.Settings(fcm);
        settings["Notify:Providers:Fcm:Timeout"] = "00:00:03";
        await using var run = new Run();
        await run.StartAsync(settings, fcm, "fcm", Channel.Push, r => r.Path.EndsWith("messages:send", StringComparison.Ordinal));

        var result = await PlayAsync(run, fcm,
            accepted => accepted.Where(r => r.Path.EndsWith("messages:send", StringComparison.Ordinal)).Select(r => JsonNode.Parse(r.Body)!["message"]!["token"]!.GetValue<string>()),
            () => []);

        AssertOutageHandled(result, [.. Enumerable.Range(0, Deliveries).Select(Token)], "fcm");
    }
}
