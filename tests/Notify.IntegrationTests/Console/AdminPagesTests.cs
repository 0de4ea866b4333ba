using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Notify.IntegrationTests.ConsoleUi;

/// <summary>The admin's pages in the browser: apps, dead letters, queues and stats.</summary>
[Collection(ConsoleCollection.Name)]
[Trait("Kind", "Browser")]
public sealed class AdminPagesTests(ConsoleFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_app_is_created_with_its_secret_shown_once_and_the_secret_is_rotated()
    {
        var (adminKey, adminSecret, admin) = await fixture.NewAppAsync(Scopes.Admin);
        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(adminKey, adminSecret);
        await console.GotoAsync("apps");
        var name = "console-made-" + Guid.NewGuid().ToString("N")[..8];

        await console.Page.GetByLabel("New app name").FillAsync(name);
        await console.Page.GetByRole(AriaRole.Group, new() { Name = "Scopes of the new app" }).GetByLabel("notifications:send").UncheckAsync();
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Create app" }).ClickAsync();

        var shown = console.Page.GetByLabel("Secret", new() { Exact = false }).And(console.Page.Locator("#new-secret"));
        await Expect(shown).ToBeVisibleAsync();
        var secret = await shown.InputValueAsync();
        var appKey = (await console.Page.Locator("#secret-title").TextContentAsync())!.Replace("Secret for ", "", StringComparison.Ordinal).Trim();
        // No picture of a page that shows a secret.
        await console.AssertCleanAsync("apps-new-secret", screenshot: false);
        // The secret works, and the app has exactly the scopes chosen.
        var created = await admin.GetJsonAsync($"/api/v1/admin/apps/{appKey}");
        Assert.Equal(name, created["name"]!.GetValue<string>());
        Assert.Equal([Scopes.NotificationsRead], created["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        await AssertSecretWorksAsync(appKey, secret);

        await console.Page.GetByRole(AriaRole.Button, new() { Name = "I have copied it" }).ClickAsync();
        await Expect(console.Page.Locator("#new-secret")).ToHaveCountAsync(0);
        await console.AssertCleanAsync("apps");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Rotate secret of " + appKey }).ClickAsync();

        await Expect(console.Page.Locator("#secret-title")).ToHaveTextAsync("Secret for " + appKey);
        var rotated = await console.Page.Locator("#new-secret").InputValueAsync();
        Assert.NotEqual(secret, rotated);
        await AssertSecretWorksAsync(appKey, rotated);
        var secrets = (await admin.GetJsonAsync($"/api/v1/admin/apps/{appKey}"))["secrets"]!.AsArray();
        Assert.Equal(2, secrets.Count);
        Assert.Contains(secrets, s => s!["expiresAt"] is not null);
    }

    private async Task AssertSecretWorksAsync(string appKey, string secret)
    {
        var client = fixture.Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{appKey}:{secret}")));
        var response = await client.GetAsync("/api/v1/notifications?eventId=none", Ct);
        Assert.True(response.IsSuccessStatusCode, $"{appKey}'s secret from the page: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task A_dead_letter_replayed_from_the_console_after_a_dry_run_reaches_sent()
    {
        string[] scopes = [Scopes.Admin, Scopes.NotificationsSend, Scopes.NotificationsRead, Scopes.TemplatesWrite, Scopes.UsersWrite];
        var (appKey, secret, api) = await fixture.NewAppAsync(scopes);
        var template = await api.NewTemplateAsync();
        var userId = await api.NewUserAsync();
        var (_, body) = await api.SendAsync("evt-" + Guid.NewGuid().ToString("N")[..12], template, [userId], """["email"]""");
        var deliveryId = body["deliveries"]![0]!["id"]!.GetValue<string>();
        await fixture.PoisonAsync(Channel.Email);
        Assert.Equal("dead-lettered", (await api.DeliveryAsync(deliveryId))["status"]!.GetValue<string>());

        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync("dead-letters");
        // The list shows why it was dead-lettered and after how many attempts (the poison handler writes both).
        var row = console.Page.Locator("tbody tr").Filter(new() { Has = console.Page.GetByLabel("Select " + deliveryId) });
        await Expect(row.GetByRole(AriaRole.Cell).Nth(4)).ToContainTextAsync("failed processing too many times");
        await Expect(row.GetByRole(AriaRole.Cell).Nth(5)).ToHaveTextAsync("1");
        await console.Page.GetByLabel("Select " + deliveryId).CheckAsync();
        await console.AssertCleanAsync("dead-letters");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Dry run replay of 1 selected" }).ClickAsync();

        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "Dry run: 1 would be replayed" })).ToBeVisibleAsync();
        Assert.Equal("dead-lettered", (await api.DeliveryAsync(deliveryId))["status"]!.GetValue<string>());
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Replay 1" }).ClickAsync();
        await Expect(console.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Replayed 1");

        await fixture.PumpAsync(Channel.Email);
        await console.GotoAsync("delivery/" + deliveryId);
        await Expect(console.Page.Locator("dl.facts .status").First).ToHaveTextAsync("sent");
        await Expect(console.Page.Locator(".timeline li").Filter(new() { HasText = "dead-lettered" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task The_queue_charts_are_drawn_from_real_samples()
    {
        var (appKey, secret, admin) = await fixture.NewAppAsync(Scopes.Admin, Scopes.NotificationsSend, Scopes.TemplatesWrite, Scopes.UsersWrite);
        // A message waiting on the e-mail queue, then the monitoring timer's samples (it runs each minute in a host).
        var template = await admin.NewTemplateAsync();
        var userId = await admin.NewUserAsync();
        await admin.SendAsync("evt-" + Guid.NewGuid().ToString("N")[..12], template, [userId], """["email"]""");
        await fixture.SampleQueuesAsync();
        var samples = (await admin.GetJsonAsync("/api/v1/admin/queues/history?hours=1"))["samples"]!.AsArray();
        Assert.True(samples.Count >= 2, samples.ToJsonString());

        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync("queues");

        var chart = console.Page.Locator("[data-chart=queue-depth]");
        await Expect(chart.Locator("canvas")).ToHaveCountAsync(1);
        Assert.Equal(samples.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), await chart.GetAttributeAsync("data-points"));
        await Expect(console.Page.Locator("[data-chart=queue-age] canvas")).ToHaveCountAsync(1);
        // The chart's legend names the real queues of the samples.
        var firstQueue = samples[0]!["queues"]!.AsArray()[0]!["name"]!.GetValue<string>();
        await Expect(console.Page.Locator("figure").First).ToContainTextAsync(firstQueue);
        await console.AssertCleanAsync("queues");
    }

    [Fact]
    public async Task An_admin_finds_a_user_by_e_mail_address_and_opens_the_user()
    {
        var (appKey, secret, api) = await fixture.NewAppAsync(Scopes.Admin, Scopes.UsersWrite, Scopes.NotificationsRead);
        var email = $"find-{Guid.NewGuid():N}@example.com";
        var userId = await api.NewUserAsync(email: email);

        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync("user");
        await console.Page.GetByLabel("Find by e-mail or phone").FillAsync(email);
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Find", Exact = true }).ClickAsync();
        await console.Page.GetByRole(AriaRole.Link, new() { Name = userId }).ClickAsync();

        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "User " + userId })).ToBeVisibleAsync();
        await Expect(console.Page.Locator("dl.facts")).ToContainTextAsync("***@example.com");
        Assert.DoesNotContain(email, console.Page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stats_page_shows_the_funnel_of_a_template()
    {
        var (appKey, secret, admin) = await fixture.NewAppAsync(Scopes.Admin, Scopes.NotificationsSend, Scopes.NotificationsRead, Scopes.TemplatesWrite, Scopes.UsersWrite);
        var template = await admin.NewTemplateAsync();
        var userId = await admin.NewUserAsync();
        await admin.SendAsync("evt-" + Guid.NewGuid().ToString("N")[..12], template, [userId], """["email"]""");
        await fixture.PumpAsync(Channel.Email);
        await fixture.Host.Service<Notify.Core.Activity.StatusCounts>().FlushAsync(TestContext.Current.CancellationToken);

        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync("stats");

        var row = console.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = template });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("email");
        // queued 1, sent 1 (the first two steps of the funnel), nothing delivered yet.
        await Expect(row.GetByRole(AriaRole.Cell)).ToHaveTextAsync([template, "email", "1", "1", "0", "0", "0", "0"]);
        // The funnel over time is drawn from the series of this week's hours, with the sent delivery in one of them.
        await Expect(console.Page.Locator("[data-chart=funnel-counts] canvas")).ToHaveCountAsync(1);
        await Expect(console.Page.Locator("#funnel-counts-caption + div + table, [data-chart=funnel-counts] ~ table").First).ToBeAttachedAsync();
        await console.AssertCleanAsync("stats");
    }
}
