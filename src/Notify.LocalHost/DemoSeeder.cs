using Notify.Core.Templates;
using Notify.Core.Users;
using Notify.Core.Validation;

namespace Notify.LocalHost;

/// <summary>
/// For the local run: a demo app (all scopes), a <c>welcome</c> template in English and Korean, and a demo user
/// with an e-mail address, a phone number and an FCM device. Idempotent: running again refreshes them. The demo app
/// allows the LocalHost's own origins (from its <c>urls</c>) for the inbox API, so the inbox demo page
/// (<see cref="InboxDemoEndpoint"/>) may call it.
/// </summary>
public sealed class DemoSeeder(
    IConfiguration configuration,
    StorageInitializer storage,
    IAppStore apps,
    TemplateService templates,
    UserImportService users,
    TimeProvider time,
    IOptions<LocalHostOptions> options) : IHostedService
{
    public const string TemplateName = "welcome";
    public const string UserId = "demo-user";

    public const string TemplateJson = """
        {
          "defaultLocale": "en",
          "channels": {
            "email": {
              "subject": "Welcome, {{ data.name }}!",
              "html": "<h1>Welcome, {{ data.name }}</h1><p>Your code is <b>{{ data.code }}</b>.</p>",
              "text": "Welcome, {{ data.name }}. Your code is {{ data.code }}."
            },
            "sms": { "body": "Welcome {{ data.name }}, your code is {{ data.code }}" },
            "push": { "title": "Welcome", "body": "Hi {{ data.name }}, your code is {{ data.code }}", "data": { "code": "{{ data.code }}" } },
            "inbox": { "title": "Welcome, {{ data.name }}!", "body": "Your code is {{ data.code }}." }
          },
          "locales": {
            "ko": { "sms": { "body": "{{ data.name }}님, 환영합니다. 코드: {{ data.code }}" } }
          }
        }
        """;

    public const string UsersJson = """
        {
          "users": [
            {
              "userId": "demo-user",
              "email": "demo-user@example.com",
              "phone": "+15555550100",
              "locale": "en",
              "timeZone": "Asia/Seoul",
              "devices": [ { "token": "demo-fcm-token-0123456789", "platform": "fcm" } ]
            }
          ]
        }
        """;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.SeedDemo)
        {
            return;
        }
        await storage.StartAsync(cancellationToken);
        await apps.PutAsync(new AppRecord(settings.DemoAppKey, "Demo app", [AppSecrets.Hash(settings.DemoAppSecret)], Scopes.All, false, time.GetUtcNow())
        {
            AllowedOrigins = LocalOrigins(configuration["urls"]),
        }, cancellationToken);
        // Bound by the parse functions the routes use, so the demo data is judged as a request would be.
        using (var template = JsonDocument.Parse(TemplateJson))
        {
            var request = PutTemplateRequest.Parse(TemplateName, template.RootElement, new ValidationErrors());
            var result = request is null ? null : await templates.PutAsync(request, cancellationToken);
            if (result?.Kind != ResultKind.Ok)
            {
                throw new InvalidOperationException("The demo template does not validate.");
            }
        }
        // Through the batch import, the path POST /api/v1/users/batch takes: profile and device in one transaction.
        using var batch = JsonDocument.Parse(UsersJson);
        var batchRequest = UserBatchRequest.Parse(batch.RootElement, new ValidationErrors())
            ?? throw new InvalidOperationException("The demo users do not validate.");
        var imported = await users.ImportAsync(batchRequest, TemplateService.ServiceActor, cancellationToken);
        if (imported.Kind != ResultKind.Ok || imported.Value!.Invalid > 0)
        {
            throw new InvalidOperationException("The demo user does not validate.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The origins the LocalHost answers on (<c>--urls</c>, Kestrel's http://localhost:5000 without it), each also
    /// as 127.0.0.1 and localhost, which are two origins to a browser.
    /// </summary>
    public static IReadOnlyList<string> LocalOrigins(string? urls)
    {
        var origins = new List<string>();
        foreach (var url in (string.IsNullOrWhiteSpace(urls) ? "http://localhost:5000" : urls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri))
            {
                continue;
            }
            foreach (var host in new[] { uri.Host, "127.0.0.1", "localhost" })
            {
                var origin = $"{uri.Scheme}://{host}:{uri.Port}";
                if (!origins.Contains(origin, StringComparer.Ordinal))
                {
                    origins.Add(origin);
                }
            }
        }
        return origins;
    }
}
