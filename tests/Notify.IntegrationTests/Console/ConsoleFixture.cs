using System.Diagnostics;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Notify.Testing.Oidc;

namespace Notify.IntegrationTests.ConsoleUi;

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    /// <summary>One LocalHost on a real port and one Chromium for every browser test, which run one after another.</summary>
    public const string Name = "Console in a browser";
}

/// <summary>
/// The LocalHost on Kestrel (127.0.0.1, a free port) against Azurite, and one headless Chromium: the build from npm
/// (<c>@sparticuz/chromium</c>, installed by scripts/test.sh with Azurite) driven by Microsoft.Playwright's own driver.
/// Each test opens its own browser context (no shared cookies) and its own apps.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    /// <summary>The dev signing key of console sessions (Notify:Console:SigningKey), as the LocalHost's run script has one.</summary>
    public static readonly string SigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>People the fixture's OpenID provider signs in (by login_hint): a Viewer and an Admin.</summary>
    public static readonly OidcUser Viewer = new("vera", "Vera Viewer", "oid-" + Guid.NewGuid().ToString("N")[..12], [ConsoleRoles.Viewer]);

    public static readonly OidcUser Admin = new("alex", "Alex Admin", "oid-" + Guid.NewGuid().ToString("N")[..12], [ConsoleRoles.Admin]);

    private IPlaywright? _playwright;

    /// <summary>The local OpenID provider people sign in with (<see cref="OidcProvider"/>).</summary>
    public OidcProvider Oidc { get; private set; } = null!;

    public NotifyHost Host { get; private set; } = null!;

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Notify:Console:SigningKey"] = SigningKey,
        ["Notify:Console:ContactLookupKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        // The inbox element's browser tests (tests/Notify.IntegrationTests/Inbox) issue end users' tokens.
        ["Notify:Inbox:SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        // The tests move deliveries along themselves (PumpAsync), so a delivery can be dead-lettered before it is sent.
        ["LocalHost:QueuePumps"] = "false",
        // The live counts and the funnel as in a running service: written on an interval (short here).
        ["Notify:StatusCounts:AutoFlush"] = "true",
        ["Notify:StatusCounts:FlushInterval"] = "00:00:00.200",
        // The recipients' preference page (PreferencePageTests) needs its link key; links point at a public name.
        ["Notify:PreferenceLinks:BaseUrl"] = "https://notify.example.com/api",
        ["Notify:PreferenceLinks:SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["Logging:LogLevel:Default"] = "Error",
        ["Logging:LogLevel:Notify"] = "Error",
        // People sign in through the provider; apps' key and secret stay on for the other browser tests.
        ["Notify:Console:Oidc:AppKeySignIn"] = "true",
    };

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = null!;

    public string ConsoleUrl => BaseUrl + "/console/";

    public async ValueTask InitializeAsync()
    {
        // The port is chosen first: the provider must know the redirect URI before the host knows the provider.
        var port = Azurite.FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        Oidc = await OidcProvider.StartAsync([BaseUrl + ConsoleOidc.CallbackPath], [Viewer, Admin], TestContext.Current.CancellationToken);
        var settings = Settings();
        // The Webhooks page's endpoints point at a local receiver on 127.0.0.1 over http, as the webhook tests' do.
        foreach (var (key, value) in Notify.IntegrationTests.Webhooks.WebhookKit.LocalSettings())
        {
            settings[key] = value;
        }
        settings["Notify:Console:Oidc:Authority"] = Oidc.Issuer;
        settings["Notify:Console:Oidc:ClientId"] = Oidc.ClientId;
        settings["Notify:Console:Oidc:ClientSecret"] = Oidc.ClientSecret;
        Host = new NotifyHost(settings);
        Host.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        Host.StartServer();
        Assert.Equal(BaseUrl, Host.Service<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/'));

        var (executable, arguments) = await ChromiumAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Args = arguments,
            Headless = true,
            Timeout = 60_000,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        if (Oidc is not null)
        {
            await Oidc.DisposeAsync();
        }
    }

    /// <summary>A new app with these scopes: its key, its secret (for the sign-in form) and an API client for arranging data.</summary>
    public async Task<(string AppKey, string Secret, ApiClient Api)> NewAppAsync(params string[] scopes)
    {
        var key = "app-" + Guid.NewGuid().ToString("N")[..12];
        var secret = AppSecrets.NewSecret();
        await Host.Service<IAppStore>().PutAsync(new AppRecord(key, "console test " + key, [AppSecrets.Hash(secret)], scopes, false, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{key}:{secret}")));
        return (key, secret, new ApiClient(client, key));
    }

    /// <summary>Takes every visible message off a channel's queue (the pumps are off in this host).</summary>
    public async Task<List<DeliveryBatch>> TakeAsync(Channel channel)
    {
        var queue = Host.Service<QueueServiceClient>().GetQueueClient(Host.Service<StorageNames>().QueueFor(channel));
        var batches = new List<DeliveryBatch>();
        while ((await queue.ReceiveMessagesAsync(32, cancellationToken: TestContext.Current.CancellationToken)).Value is { Length: > 0 } received)
        {
            foreach (var message in received)
            {
                batches.Add(DeliveryBatch.TryParse(message.Body.ToString()) ?? throw new InvalidDataException(message.Body.ToString()));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, TestContext.Current.CancellationToken);
            }
        }
        return batches;
    }

    /// <summary>Delivers whatever waits on the channel's queue, as the queue pump would.</summary>
    public async Task PumpAsync(Channel channel)
    {
        foreach (var batch in await TakeAsync(channel))
        {
            await Host.Service<DeliveryWorker>().HandleAsync(batch, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Dead-letters what waits on the channel's queue, as the runtime's poison queue would after its last try.</summary>
    public async Task PoisonAsync(Channel channel)
    {
        var queueName = Host.Service<StorageNames>().QueueFor(channel);
        foreach (var batch in await TakeAsync(channel))
        {
            await Host.Service<DeadLetterHandler>().HandleAsync(queueName, batch.ToJson(), TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Sends what waits on the webhook queue, as the queue pump's WebhookWorker would (the pumps are off in this host).</summary>
    public async Task PumpWebhooksAsync()
    {
        var queue = Host.Service<QueueServiceClient>().GetQueueClient(Host.Service<StorageNames>().Queue(StorageNames.WebhookQueue));
        while ((await queue.ReceiveMessagesAsync(32, cancellationToken: TestContext.Current.CancellationToken)).Value is { Length: > 0 } received)
        {
            foreach (var message in received)
            {
                var webhook = JsonSerializer.Deserialize<Notify.Core.Webhooks.WebhookMessage>(message.Body.ToString(), QueueJson.Options)!;
                await Host.Service<Notify.Core.Webhooks.WebhookSender>().HandleAsync(webhook, TestContext.Current.CancellationToken);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>
    /// Two real samples of every queue for the charts: one taken now and kept as of two minutes ago, then the
    /// monitoring timer's own tick (timers are off in test hosts), which keeps its sample as the timer does.
    /// </summary>
    public async Task SampleQueuesAsync()
    {
        var monitor = Host.Service<Notify.Core.Monitoring.QueueMonitor>();
        var earlier = await monitor.SampleAsync(TestContext.Current.CancellationToken);
        await Host.Service<Notify.Core.Monitoring.IQueueSampleStore>().RecordAsync(
            Notify.Core.Monitoring.QueueHistory.ToSample(earlier with { At = earlier.At.AddMinutes(-2) }), TestContext.Current.CancellationToken);
        await monitor.RunAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A fresh context (cookies of its own) and page; script errors and CSP refusals fail <see cref="AssertCleanAsync"/>.</summary>
    public async Task<ConsoleTab> OpenAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        // Generous bounds for a machine shared by parallel builds; nothing here measures time.
        context.SetDefaultTimeout(30_000);
        Assertions.SetDefaultExpectTimeout(20_000);
        var page = await context.NewPageAsync();
        var console = new ConsoleTab(this, page);
        page.Console += (_, message) =>
        {
            // An API answer of 401/404 is logged by the browser as a failed load: that is the page working, not an error.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                console.Errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => console.Errors.Add(error);
        return console;
    }

    /// <summary>A fresh tab signed in as the person <paramref name="user"/>, through the sign-in link's redirect chain (the provider signs in the login_hint).</summary>
    public async Task<ConsoleTab> SignInPersonAsync(OidcUser user)
    {
        var console = await OpenAsync();
        await console.GotoAsync();
        var link = console.Page.GetByRole(AriaRole.Link, new() { Name = "Sign in with your organization" });
        await Assertions.Expect(link).ToHaveAttributeAsync("href", "/api/v1/console/oidc/start");
        await console.Page.GotoAsync(BaseUrl + "/api/v1/console/oidc/start?login_hint=" + user.Login);
        await console.Page.WaitForURLAsync(ConsoleUrl + "**");
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        return console;
    }

    /// <summary>The Chromium that @sparticuz/chromium unpacks (once per machine, to /tmp), and its launch flags.</summary>
    private static async Task<(string Executable, string[] Arguments)> ChromiumAsync()
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add("import('@sparticuz/chromium').then(async m => console.log(JSON.stringify({ path: await m.default.executablePath(), args: m.default.args })))");
        using var node = Process.Start(start)!;
        var output = await node.StandardOutput.ReadToEndAsync();
        var error = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, "@sparticuz/chromium did not give its Chromium (run npm ci at the repository root, as scripts/test.sh does): " + error);
        using var json = JsonDocument.Parse(output);
        // Its flags suit a serverless function; the ones that would weaken what the tests check (same-origin, mixed
        // content) are dropped, Playwright sets headless itself, and with --single-process Microsoft.Playwright's
        // driver loses the browser at its first screenshot.
        string[] dropped = ["--disable-web-security", "--allow-running-insecure-content", "--headless='shell'", "--single-process"];
        var arguments = json.RootElement.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).Where(a => !dropped.Contains(a)).ToArray();
        return (json.RootElement.GetProperty("path").GetString()!, arguments);
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NotifyFunctions.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("NotifyFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>One browser page on the console, with what the tests ask of every page.</summary>
public sealed class ConsoleTab(ConsoleFixture fixture, IPage page) : IAsyncDisposable
{
    /// <summary>Closes the test's browser context: its page and its timers stop, its cookies go.</summary>
    public async ValueTask DisposeAsync() => await page.Context.CloseAsync();

    public IPage Page => page;

    public List<string> Errors { get; } = [];

    public async Task GotoAsync(string route = "")
    {
        await page.GotoAsync(fixture.ConsoleUrl + (route.Length == 0 ? "" : "#/" + route));
        // A hash change alone does not reload: the page reads its route on load and on hashchange.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    /// <summary>
    /// Presses Tab until the focused element is the one named <paramref name="name"/> (its accessible name starts with
    /// it), so the test fails if the keyboard cannot reach it; returns how many presses it took.
    /// </summary>
    public async Task<int> TabToAsync(string name, int limit = 80)
    {
        for (var presses = 1; presses <= limit; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await page.EvaluateAsync<string>("""
                () => {
                  const e = document.activeElement;
                  if (!e || e === document.body) return '';
                  const label = e.labels && e.labels.length ? e.labels[0].textContent : '';
                  return (e.getAttribute('aria-label') || label || e.textContent || e.value || '').trim().replace(/\s+/g, ' ');
                }
                """);
            if (focused.StartsWith(name, StringComparison.Ordinal))
            {
                return presses;
            }
        }
        Assert.Fail($"Tab never reached '{name}' within {limit} presses");
        return limit;
    }

    /// <summary>Signs in through the form, as a person would.</summary>
    public async Task SignInAsync(string appKey, string secret)
    {
        await GotoAsync();
        await page.GetByLabel("App key").FillAsync(appKey);
        await page.GetByLabel("Secret").FillAsync(secret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    /// <summary>
    /// No serious or critical axe-core violation on the page as it is now, no script error and no CSP refusal; and a
    /// screenshot named <paramref name="name"/> (into docs/console/ with NOTIFY_UPDATE_SCREENSHOTS=1).
    /// </summary>
    public async Task AssertCleanAsync(string name, bool screenshot = true, string folder = "console")
    {
        var results = await page.RunAxe();
        var bad = results.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(" | ", v.Nodes.Select(n => n.Html))}").ToList();
        Assert.True(bad.Count == 0, $"axe on {name}:\n" + string.Join("\n", bad));
        Assert.True(Errors.Count == 0, $"script errors on {name}:\n" + string.Join("\n", Errors));
        if (screenshot)
        {
            await ScreenshotAsync(name, folder);
        }
    }

    /// <summary>A screenshot into docs/{folder}/ with NOTIFY_UPDATE_SCREENSHOTS=1, else into TestResults/{folder}/.</summary>
    public async Task ScreenshotAsync(string name, string folder = "console")
    {
        var root = ConsoleFixture.RepositoryRoot();
        var directory = Environment.GetEnvironmentVariable("NOTIFY_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(root, "docs", folder)
            : Path.Combine(root, "TestResults", folder);
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = false });
    }
}
