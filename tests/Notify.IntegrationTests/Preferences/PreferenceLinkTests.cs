using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Notify.IntegrationTests.Tracking;
using Notify.Testing;

namespace Notify.IntegrationTests.Preferences;

/// <summary>
/// Signed preference links, the RFC 8058 headers on the wire (the SendGrid fake), one-click unsubscribe and the
/// preference page, through the real host.
/// </summary>
public sealed partial class PreferenceLinkTests(PreferenceLinkTests.Host host) : IClassFixture<PreferenceLinkTests.Host>
{
    public sealed class Host : IAsyncLifetime
    {
        public static readonly string LinkKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        public SendGridFake SendGrid { get; } = new("SG.links-test-key");

        public TrackingHost Notify { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            await SendGrid.StartAsync();
            Notify = new TrackingHost(new Dictionary<string, string?>
            {
                ["Notify:Providers:SendGrid:ApiKey"] = "SG.links-test-key",
                ["Notify:Providers:SendGrid:FromEmail"] = "noreply@example.com",
                ["Notify:Providers:SendGrid:BaseUrl"] = SendGrid.BaseAddress.ToString().TrimEnd('/'),
                ["Notify:PreferenceLinks:BaseUrl"] = "https://notify.example.com/api",
                ["Notify:PreferenceLinks:SigningKey"] = LinkKey,
                ["Notify:Tracking:ClickLinks"] = "false",
            });
        }

        public async ValueTask DisposeAsync()
        {
            if (Notify is not null)
            {
                await Notify.DisposeAsync();
            }
            await SendGrid.DisposeAsync();
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string LinkTemplate = """
        {
          "defaultLocale": "en",
          "category": "CATEGORY",
          "channels": {
            "email": { "subject": "News for {{ data.name }}", "text": "Manage: {{ links.preferences }} Leave: {{ links.unsubscribe }}" }
          }
        }
        """;

    [GeneratedRegex(@"https://notify\.example\.com/api(/v1/unsubscribe/[A-Za-z0-9_-]+)")]
    private static partial Regex UnsubscribeLink();

    [GeneratedRegex(@"https://notify\.example\.com/api(/v1/preferences/page\?t=[A-Za-z0-9_-]+)")]
    private static partial Regex PageLink();

    private async Task<(ApiClient Api, string User, string Category, System.Text.Json.Nodes.JsonObject Mail)> SendAsync(bool required, string? locale = "en")
    {
        var notify = host.Notify;
        var api = await notify.NewAppAsync();
        var category = "cat-" + Guid.NewGuid().ToString("N")[..8];
        var body = required
            ? """{"titles":{"en":"Security","de":"Sicherheit"},"required":true,"requiredReason":"Account safety"}"""
            : """{"titles":{"en":"Marketing","de":"Werbung"},"descriptions":{"en":"Offers","de":"Angebote"}}""";
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/{category}", body)).StatusCode);
        var template = await api.NewTemplateAsync(LinkTemplate.Replace("CATEGORY", category, StringComparison.Ordinal));
        var user = await api.NewUserAsync(email: "reader@example.com", locale: locale);
        var id = (await notify.SendAndWaitAsync(api, template, user, """["email"]"""))["email"];
        var mail = host.SendGrid.Mails.Single(m => m.ToJsonString().Contains(id, StringComparison.Ordinal));
        return (api, user, category, mail);
    }

    private static string Text(System.Text.Json.Nodes.JsonObject mail) =>
        mail["content"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "text/plain")!["value"]!.GetValue<string>();

    private static FormUrlEncodedContent OneClick() => new([new("List-Unsubscribe", "One-Click")]);

    [Fact]
    public async Task Email_of_a_category_one_may_leave_carries_one_click_headers_and_the_post_turns_that_category_off_for_email()
    {
        var (api, user, category, mail) = await SendAsync(required: false);
        var headers = mail["headers"]!.AsObject();
        var header = headers["List-Unsubscribe"]!.GetValue<string>();
        var path = UnsubscribeLink().Match(header).Groups[1].Value;
        var client = host.Notify.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var confirm = await client.GetAsync("/api" + path, Ct);
        var afterGet = await api.GetJsonAsync($"/api/v1/users/{user}/preferences");
        var tampered = await client.PostAsync("/api" + path[..^2] + (path[^2] == 'A' ? "BB" : "AA"), OneClick(), Ct);
        var noBody = await client.PostAsync("/api" + path, new FormUrlEncodedContent([]), Ct);
        var first = await client.PostAsync("/api" + path, OneClick(), Ct);
        var again = await client.PostAsync("/api" + path, OneClick(), Ct);
        var after = await api.GetJsonAsync($"/api/v1/users/{user}/preferences");

        Assert.StartsWith("<https://notify.example.com/api/v1/unsubscribe/", header, StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", headers["List-Unsubscribe-Post"]!.GetValue<string>());
        Assert.Contains(path, Text(mail), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Contains("Marketing", await confirm.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Null(afterGet["categories"]![category]);
        Assert.Equal(HttpStatusCode.NotFound, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Null(first.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("""{"email":false}""", after["categories"]![category]!.ToJsonString());
        Assert.True(after["email"]!.GetValue<bool>());
        var audit = await api.GetJsonAsync("/api/v1/admin/audit?kind=preferences&appKey=user-link&pageSize=1000");
        Assert.Contains(audit["entries"]!.AsArray(), e => e!["target"]!.GetValue<string>() == user);
        Assert.DoesNotContain("reader@example.com", audit.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Email_of_a_required_category_carries_no_unsubscribe_headers()
    {
        var (_, _, _, mail) = await SendAsync(required: true);

        Assert.Null(mail["headers"]?["List-Unsubscribe"]);
        Assert.Null(mail["headers"]?["List-Unsubscribe-Post"]);
    }

    [Fact]
    public async Task The_preference_page_is_localized_strict_and_saves_only_with_its_form_token()
    {
        var (api, user, category, mail) = await SendAsync(required: false, locale: "de-DE");
        var path = "/api" + PageLink().Match(Text(mail)).Groups[1].Value;
        var client = host.Notify.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var page = await client.GetAsync(path, Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        var cookie = page.Headers.GetValues("Set-Cookie").Single();
        var formToken = Regex.Match(html, "name=\"formToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var fields = new List<KeyValuePair<string, string>> { new("formToken", formToken), new($"{category}.push", "on") };
        var withoutCookie = await client.PostAsync(path, new FormUrlEncodedContent(fields), Ct);
        var untouched = await api.GetJsonAsync($"/api/v1/users/{user}/preferences");
        using var save = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        save.Headers.Add("Cookie", cookie.Split(';')[0]);
        var saved = await client.SendAsync(save, Ct);
        var after = await api.GetJsonAsync($"/api/v1/users/{user}/preferences");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("lang=\"de\"", html, StringComparison.Ordinal);
        Assert.Contains("Werbung", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("SameSite=Strict", cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, withoutCookie.StatusCode);
        Assert.Null(untouched["categories"]![category]);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("""{"email":false,"push":true,"sms":false}""", after["categories"]![category]!.ToJsonString());
    }

    [Fact]
    public async Task A_link_token_names_one_user_and_a_template_using_links_is_refused_where_links_are_off()
    {
        var (_, _, _, mail) = await SendAsync(required: false);
        var path = "/api" + PageLink().Match(Text(mail)).Groups[1].Value;
        var client = host.Notify.CreateClient();
        var forged = path.Replace("?t=", "?t=A", StringComparison.Ordinal);

        var genuine = await client.GetAsync(path, Ct);
        var tampered = await client.GetAsync(forged, Ct);
        await using var plain = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var api = await plain.NewAppAsync();
        var refused = await api.PutJsonAsync("/api/v1/templates/links-" + Guid.NewGuid().ToString("N")[..8], LinkTemplate.Replace("\"category\": \"CATEGORY\",", "", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Contains("Marketing", await genuine.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.NotNull((await ApiClient.ReadAsync(refused))["errors"]!["links"]);
    }
}
