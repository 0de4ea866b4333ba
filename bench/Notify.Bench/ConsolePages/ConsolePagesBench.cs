using System.Net.Http.Headers;
using System.Net.Http.Json;
using Notify.Bench.Pipeline;
using Notify.Core.Apps;

namespace Notify.Bench.ConsolePages;

/// <summary>One API call (or the page itself) a console page makes on first load: median and max over the timed rounds.</summary>
public sealed record CallTiming(string Page, string Call, double MedianMs, double MaxMs);

/// <summary>A console page: its calls fired together, as the browser does, timed from the first to the last answer.</summary>
public sealed record PageTiming(string Page, double MedianMs, double MaxMs, IReadOnlyList<CallTiming> Calls)
{
    public bool Passes => MedianMs < ConsolePagesBench.TargetMs;
}

/// <summary>The timings at one log size.</summary>
public sealed record ConsolePagesResult(int Deliveries, double FillSeconds, int Rounds, IReadOnlyList<PageTiming> Pages);

/// <summary>
/// Issue 15: "every page answers in under 300 ms on the LocalHost with 10,000 deliveries in the log". Its own
/// Azurite and LocalHost, the queue pumps off (the deliveries stay <c>queued</c>: what is measured is rows in the
/// delivery log and its Activity index, written the fast way, by requests of up to 1,000 recipients rotating over
/// the three channels), a console session cookie from <c>POST /api/v1/console/session</c>, then each page's
/// first-load API calls (read off <c>src/Notify.OperatorConsole/web/pages</c>) several rounds.
/// </summary>
internal sealed class ConsolePagesBench(int deliveries, int rounds, Action<string> log)
{
    public const double TargetMs = 300;

    private static readonly string[][] Channels = [["email"], ["sms"], ["push"]];

    public async Task<ConsolePagesResult> RunAsync(CancellationToken cancellationToken)
    {
        using var azurite = Azurite.Start();
        log($"console pages, {deliveries:N0} deliveries: Azurite {azurite.Version} in memory (pid {azurite.ProcessId})");
        var signingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var host = new BenchHost(azurite.ConnectionString, new Dictionary<string, string>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Console:SigningKey"] = signingKey,
        });
        _ = host.Services;
        // The console signs in as the app that sent: an app's delivery is 404 to another app, admin or not.
        var (app, secret) = await NewAppAsync(host, cancellationToken);
        var recipients = Math.Min(deliveries, 1_000);
        var workload = new Workload(app, BenchSettings.Short with { UserSetSize = recipients, LatencyClients = 1, LatencyRequestsPerClient = 1, MaxRequestsPerRate = 1 });
        await workload.PutTemplateAsync(cancellationToken);
        await workload.CreateUsersAsync(cancellationToken);

        var fill = Stopwatch.StartNew();
        using (var sender = app.NewClient())
        {
            var users = workload.UserSet(0);
            for (var written = 0; written < deliveries;)
            {
                var take = Math.Min(recipients, deliveries - written);
                await workload.SendAsync(sender, [.. users.Take(take)], Channels[written / recipients % Channels.Length], cancellationToken);
                written += take;
                if (written % 10_000 == 0)
                {
                    log($"  {written:N0} deliveries written ({fill.Elapsed.TotalSeconds:0} s)");
                }
            }
        }
        var fillSeconds = fill.Elapsed.TotalSeconds;
        log($"  {deliveries:N0} deliveries written in {fillSeconds:0.0} s");

        using var client = await SignInAsync(host, app.AppKey, secret, cancellationToken);
        var user = workload.UserSet(0)[0];
        var delivery = await NewestDeliveryAsync(client, cancellationToken);
        var pages = Pages(delivery, user, workload.Template);

        // One untimed round: the first call of each route pays for JIT and the host's caches, not the page.
        await RoundAsync(client, pages, cancellationToken);
        var pageTimes = pages.ToDictionary(p => p.Name, _ => new List<double>());
        var callTimes = pages.SelectMany(p => p.Calls.Select(c => (p.Name, c))).ToDictionary(k => k, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (page, total, calls) in await RoundAsync(client, pages, cancellationToken))
            {
                pageTimes[page].Add(total);
                foreach (var (call, ms) in calls)
                {
                    callTimes[(page, call)].Add(ms);
                }
            }
        }
        var result = new ConsolePagesResult(deliveries, fillSeconds, rounds, [.. pages.Select(p => new PageTiming(
            p.Name, Median(pageTimes[p.Name]), pageTimes[p.Name].Max(),
            [.. p.Calls.Select(c => new CallTiming(p.Name, c, Median(callTimes[(p.Name, c)]), callTimes[(p.Name, c)].Max()))]))]);
        return result;
    }

    /// <summary>The table printed and pasted into docs/benchmarks.md.</summary>
    public static string Table(ConsolePagesResult result)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"console pages with {result.Deliveries:N0} deliveries in the log (filled in {result.FillSeconds:0} s), {result.Rounds} rounds, target median < {TargetMs:0} ms");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"page / call",-80} {"median ms",10} {"max ms",8}  result");
        foreach (var page in result.Pages)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {page.Page,-80} {page.MedianMs,10:0.0} {page.MaxMs,8:0.0}  {(page.Passes ? "pass" : "FAIL")}");
            foreach (var call in page.Calls)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    {call.Call,-78} {call.MedianMs,10:0.0} {call.MaxMs,8:0.0}");
            }
        }
        return text.ToString();
    }

    private sealed record Page(string Name, IReadOnlyList<string> Calls);

    /// <summary>What each page requests on first load, as src/Notify.OperatorConsole/web/pages does (the shell's session check with every page).</summary>
    private static List<Page> Pages(string delivery, string user, string template)
    {
        var now = DateTime.UtcNow;
        var from = now.AddDays(-6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var id = Uri.EscapeDataString(delivery);
        return
        [
            new("Console page (/console/)", ["/console/", "/api/v1/console/session"]),
            new("Activity", ["/api/v1/notifications?limit=50", "/api/v1/notifications/counts"]),
            new("Delivery", [$"/api/v1/notifications/{id}", $"/api/v1/notifications/{id}/content"]),
            new("User", [$"/api/v1/users/{user}?masked=true", $"/api/v1/notifications?userId={user}&limit=20"]),
            new("Templates", ["/api/v1/templates", $"/api/v1/templates/{template}", $"/api/v1/templates/{template}/versions"]),
            new("Queues", ["/api/v1/admin/queues/history?hours=6", "/api/v1/admin/queues"]),
            new("Dead letters", ["/api/v1/admin/dead-letters"]),
            new("Stats", [$"/api/v1/stats?from={from}&to={to}", $"/api/v1/stats/series?from={from}T00:00:00Z&to={to}T23:59:59Z&interval=PT1H"]),
            new("Apps", ["/api/v1/admin/apps"]),
        ];
    }

    /// <summary>Each page in turn; a page's calls run together, as the browser fires them.</summary>
    private static async Task<List<(string Page, double Total, List<(string Call, double Ms)> Calls)>> RoundAsync(HttpClient client, List<Page> pages, CancellationToken cancellationToken)
    {
        var round = new List<(string, double, List<(string, double)>)>();
        foreach (var page in pages)
        {
            var clock = Stopwatch.StartNew();
            var calls = await Task.WhenAll(page.Calls.Select(async call =>
            {
                var one = Stopwatch.StartNew();
                using var response = await client.GetAsync(call, cancellationToken);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                var ms = one.Elapsed.TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new PipelineFailure($"GET {call}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
                }
                return (call, ms);
            }));
            round.Add((page.Name, clock.Elapsed.TotalMilliseconds, [.. calls]));
        }
        return round;
    }

    /// <summary>A client holding a console session cookie (no Basic header), as the browser after sign-in.</summary>
    private static async Task<HttpClient> SignInAsync(BenchHost host, string key, string secret, CancellationToken cancellationToken)
    {
        var client = host.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/v1/console/session", new { appKey = key, secret }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new PipelineFailure($"POST /api/v1/console/session: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        return client;
    }

    /// <summary>An app with every scope whose secret the benchmark keeps, and Basic-auth clients for the fill.</summary>
    private static async Task<(ApiApp App, string Secret)> NewAppAsync(BenchHost host, CancellationToken cancellationToken)
    {
        var key = "bench-console-" + Guid.NewGuid().ToString("N")[..8];
        var secret = AppSecrets.NewSecret();
        await host.Service<IAppStore>().PutAsync(new AppRecord(key, key, [AppSecrets.Hash(secret)], Scopes.All, false, DateTimeOffset.UtcNow), cancellationToken);
        var authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        return (new ApiApp(key, () =>
        {
            var client = host.CreateClient();
            client.Timeout = TimeSpan.FromMinutes(5);
            client.DefaultRequestHeaders.Authorization = authorization;
            return client;
        }), secret);
    }

    private static async Task<string> NewestDeliveryAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync("/api/v1/notifications?limit=1", cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new PipelineFailure($"GET /api/v1/notifications?limit=1: {(int)response.StatusCode} {text}");
        }
        using var answer = JsonDocument.Parse(text);
        return answer.RootElement.GetProperty("deliveries")[0].GetProperty("id").GetString()
            ?? throw new PipelineFailure("The Activity list returned a delivery without an id.");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
