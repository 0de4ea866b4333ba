using System.Globalization;

namespace Notify.LocalHost;

/// <summary>
/// App management from the command line, against the storage the configuration names (the same <c>Storage</c>
/// settings as the app): the first admin app on a fresh deployment, and a way back in when no admin app works.
/// Secrets are printed once, on stdout; nothing else is written there, so <c>| tee</c> into a secret store works.
/// Another running instance sees a change within <c>Notify:Security:AppCacheDuration</c> (30 s by default).
/// </summary>
public static class AppsCommand
{
    private const string Usage = """
        usage: apps create --name NAME --scopes SCOPE[,SCOPE...]
               apps list
               apps rotate --key APP_KEY [--grace-seconds N]
               apps revoke-secret --key APP_KEY --secret SECRET_ID
               apps scopes --key APP_KEY --scopes SCOPE[,SCOPE...]
               apps disable --key APP_KEY
               apps enable --key APP_KEY
               apps delete --key APP_KEY
        """;

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error, configure: null);

    /// <param name="configure">Extra configuration (tests point it at their storage).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Action<IConfigurationBuilder>? configure)
    {
        if (args.Length == 0)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        var options = ParseOptions(args[1..]);
        if (options is null)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        var command = args[0];
        if (command is not ("create" or "list" or "rotate" or "revoke-secret" or "scopes" or "disable" or "enable" or "delete"))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        string[] scopeList = [];
        if (command is "create" or "scopes")
        {
            scopeList = options.GetValueOrDefault("scopes", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = scopeList.Where(s => !Scopes.IsKnown(s)).ToList();
            var named = command == "create" ? !string.IsNullOrWhiteSpace(options.GetValueOrDefault("name")) : options.ContainsKey("key");
            if (!named || scopeList.Length == 0 || unknown.Count > 0)
            {
                var shape = command == "create" ? "apps create --name NAME" : "apps scopes --key APP_KEY";
                await error.WriteLineAsync($"usage: {shape} --scopes SCOPE[,SCOPE...]; scopes: {string.Join(", ", Scopes.All)}{(unknown.Count > 0 ? $"; unknown: {string.Join(", ", unknown)}" : "")}");
                return 2;
            }
        }
        else if (command != "list" && !options.ContainsKey("key"))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder();
        configure?.Invoke(builder.Configuration);
        // Logs go to stderr, so stdout carries only the answer (and the secret, once).
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddNotifyCore();
        builder.AddNotifyStorage();
        using var host = builder.Build();
        await host.Services.GetRequiredService<StorageInitializer>().StartAsync(CancellationToken.None);
        var apps = host.Services.GetRequiredService<AppService>();
        var key = options.GetValueOrDefault("key", "");
        const string actor = AppService.CommandLineActor;
        var ct = CancellationToken.None;
        switch (command)
        {
            case "create":
                var created = await apps.CreateAsync(options["name"], scopeList, actor, ct);
                await PrintCredentialAsync(output, created);
                return 0;
            case "list":
                await PrintListAsync(output, await apps.ListAsync(ct));
                return 0;
            case "rotate":
                var grace = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SecurityOptions>>().Value.RotationGracePeriod;
                if (options.TryGetValue("grace-seconds", out var text))
                {
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > SecurityOptions.MaxRotationGracePeriod.TotalSeconds)
                    {
                        await error.WriteLineAsync($"--grace-seconds must be a whole number from 0 to {(int)SecurityOptions.MaxRotationGracePeriod.TotalSeconds}");
                        return 2;
                    }
                    grace = TimeSpan.FromSeconds(seconds);
                }
                return await ReportAsync(output, error, await apps.RotateAsync(key, grace, actor, ct), v => PrintCredentialAsync(output, v));
            case "revoke-secret":
                if (!options.TryGetValue("secret", out var secretId))
                {
                    await error.WriteLineAsync(Usage);
                    return 2;
                }
                return await ReportAsync(output, error, await apps.RevokeSecretAsync(key, secretId, actor, ct), v => PrintAppAsync(output, v));
            case "scopes":
                return await ReportAsync(output, error, await apps.SetScopesAsync(key, scopeList, actor, ct), v => PrintAppAsync(output, v));
            case "disable":
            case "enable":
                return await ReportAsync(output, error, await apps.SetDisabledAsync(key, command == "disable", actor, ct), v => PrintAppAsync(output, v));
            default:
                return await ReportAsync(output, error, await apps.DeleteAsync(key, actor, ct), _ => output.WriteLineAsync($"App {key} deleted."));
        }
    }

    /// <summary><c>--name value</c> pairs; null when one has no value.</summary>
    private static Dictionary<string, string>? ParseOptions(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return null;
            }
            result[args[i][2..]] = args[i + 1];
        }
        return result;
    }

    private static async Task<int> ReportAsync<T>(TextWriter output, TextWriter error, Result<T> result, Func<T, Task> print)
    {
        switch (result.Kind)
        {
            case ResultKind.Ok:
                await print(result.Value!);
                return 0;
            case ResultKind.NotFound:
                await error.WriteLineAsync(result.Detail ?? "No such app.");
                return 1;
            case ResultKind.Invalid:
                foreach (var (field, messages) in result.Errors!.ToDictionary())
                {
                    await error.WriteLineAsync($"{field}: {string.Join("; ", messages)}");
                }
                return 2;
            default:
                await error.WriteLineAsync(result.Detail);
                return 1;
        }
    }

    private static async Task PrintCredentialAsync(TextWriter output, AppCredentialView credential)
    {
        await output.WriteLineAsync($"appKey:    {credential.AppKey}");
        await output.WriteLineAsync($"secretId:  {credential.SecretId}");
        await output.WriteLineAsync($"appSecret: {credential.AppSecret}");
        await output.WriteLineAsync($"scopes:    {string.Join(",", credential.App.Scopes)}");
        foreach (var previous in credential.App.Secrets.Where(s => s.Id != credential.SecretId))
        {
            await output.WriteLineAsync($"previous secret {previous.Id} works until {previous.ExpiresAt?.ToString("O", CultureInfo.InvariantCulture) ?? "revoked"}");
        }
        await output.WriteLineAsync("The secret is shown once and stored only as a hash. Keep it in your secret store.");
    }

    private static async Task PrintAppAsync(TextWriter output, AppView app)
    {
        var secrets = string.Join(" ", app.Secrets.Select(s => s.ExpiresAt is { } at ? $"{s.Id}(expires {at:O})" : s.Id));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{app.AppKey}\t{app.Name}\t{string.Join(",", app.Scopes)}\t{(app.Disabled ? "disabled" : "enabled")}\tcreated {app.CreatedAt:O}\tlast used {(app.LastUsedAt is { } used ? used.ToString("O", CultureInfo.InvariantCulture) : "never")}\tsecrets {secrets}"));
    }

    private static async Task PrintListAsync(TextWriter output, AppListView list)
    {
        foreach (var app in list.Apps)
        {
            await PrintAppAsync(output, app);
        }
        if (list.Apps.Count == 0)
        {
            await output.WriteLineAsync("No apps.");
        }
    }
}
