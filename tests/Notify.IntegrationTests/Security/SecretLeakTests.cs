using System.Text;
using System.Text.RegularExpressions;

namespace Notify.IntegrationTests.Security;

/// <summary>
/// No secret, token, phone number or e-mail address reaches a log in clear. The capture holds every log line, at
/// Trace, of every host this test process has run so far (all test classes share it), plus a scenario that puts
/// each kind of sensitive value through the API: app secrets (created, rotated, wrong), Authorization headers,
/// users with e-mail and phone, device tokens, delivered notifications, failed and throttled authentications.
/// </summary>
public sealed partial class SecretLeakTests
{
    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")]
    private static partial Regex EmailAddress();

    [GeneratedRegex(@"\+[1-9][0-9]{6,14}")]
    private static partial Regex PhoneNumber();

    [GeneratedRegex(@"Basic\s+[A-Za-z0-9+/=]{8,}")]
    private static partial Regex BasicCredentials();

    [Fact]
    public async Task A_log_capture_of_the_test_run_holds_no_secret_token_phone_or_email_in_clear()
    {
        var sensitive = new List<string>();
        await using (var host = new NotifyHost(new Dictionary<string, string?>
        {
            ["Notify:Security:FailedAuth:PerAddressAndKey"] = "2",
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Notify"] = "Trace",
        }))
        {
            var bootstrap = await host.NewAppAsync(Scopes.Admin);
            var app = await SecurityKit.CreateAppAsync(bootstrap.Http, [.. Scopes.All]);
            var rotated = await SecurityKit.RotateAsync(bootstrap.Http, app.AppKey, graceSeconds: 600);
            sensitive.AddRange([app.Secret, rotated.Secret, AppSecrets.Hash(app.Secret)]);
            var api = new ApiClient(SecurityKit.Client(host, rotated), rotated.AppKey);
            sensitive.Add(api.Http.DefaultRequestHeaders.Authorization!.Parameter!);

            var template = await api.NewTemplateAsync();
            var email = $"leak-{Guid.NewGuid():N}@example.org";
            var phone = "+1415" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var token = "leaktoken-" + Guid.NewGuid().ToString("N");
            sensitive.AddRange([email, phone, token]);
            var user = await api.NewUserAsync(email, phone, "en", (token, "fcm"));
            var (sent, body) = await api.SendAsync("evt-" + Guid.NewGuid().ToString("N"), template, [user]);
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
            foreach (var delivery in body["deliveries"]!.AsArray())
            {
                var id = delivery!["id"]!.GetValue<string>();
                await Eventually.TrueAsync(async () => (await api.DeliveryAsync(id))["status"]!.GetValue<string>() == "sent", $"delivery {id} sent");
            }
            Assert.Equal(3, (await api.OutboxAsync(user)).Count);

            // Failures: a wrong secret (twice, which throttles the key), a secret sent as the key, a wrong scheme.
            var wrong = AppSecrets.NewSecret();
            sensitive.Add(wrong);
            for (var i = 0; i < 3; i++)
            {
                await SecurityKit.Client(host, app.AppKey, wrong).GetAsync("/api/v1/admin/apps", SecurityKit.Ct);
            }
            await SecurityKit.Client(host, rotated.Secret, app.AppKey).GetAsync("/api/v1/admin/apps", SecurityKit.Ct);
            var bearer = host.CreateClient();
            bearer.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + wrong);
            await bearer.GetAsync("/api/v1/admin/apps", SecurityKit.Ct);
            await api.Http.DeleteAsync($"/api/v1/users/{user}/devices/{token}", SecurityKit.Ct);
        }

        var lines = LogCapture.Instance.Lines.ToList();
        Assert.True(lines.Count > 50, $"the capture holds only {lines.Count} lines: is it wired into NotifyHost?");
        var leaks = new List<string>();
        foreach (var line in lines)
        {
            foreach (var value in sensitive.Where(v => line.Contains(v, StringComparison.Ordinal)))
            {
                leaks.Add($"[{Describe(value, sensitive)}] {line}");
            }
            foreach (var pattern in new[] { EmailAddress(), PhoneNumber(), BasicCredentials() })
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    leaks.Add($"[{match.Value}] {line}");
                }
            }
        }
        Assert.True(leaks.Count == 0, $"{leaks.Count} log lines hold sensitive values in clear:\n" + string.Join("\n", leaks.Distinct().Take(20)));
    }

    [GeneratedRegex("(?i)(secret|password|token|api[-_]?key|account[-_]?key|private[-_]?key|sharedaccess)")]
    private static partial Regex SecretLikeName();

    [Fact]
    public void Host_json_and_the_settings_sample_hold_no_secret()
    {
        var root = Azurite.RepositoryRoot();
        var hostJson = File.ReadAllText(Path.Combine(root, "host.json"));
        var sample = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(root, "local.settings.sample.json")))!["Values"]!.AsObject();

        Assert.DoesNotMatch(SecretLikeName(), hostJson);
        Assert.All(sample, setting =>
        {
            Assert.DoesNotMatch(SecretLikeName(), setting.Key);
            Assert.DoesNotMatch("(?i)(AccountKey=|SharedAccessSignature=|sig=)", setting.Value!.ToString());
        });
    }

    private static string Describe(string value, List<string> sensitive) => $"sensitive value #{sensitive.IndexOf(value)}";
}
