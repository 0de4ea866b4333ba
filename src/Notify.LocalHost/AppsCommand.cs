using Notify.Core;
using Notify.Core.Apps;
using Notify.Storage;

namespace Notify.LocalHost;

/// <summary>
/// The first admin app on a fresh deployment: <c>apps create --name ops --scopes admin[,...]</c> against the
/// storage the configuration names (the same <c>Storage</c> settings as the app). Prints the secret once.
/// </summary>
public static class AppsCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "create")
        {
            await Console.Error.WriteLineAsync("usage: apps create --name NAME --scopes SCOPE[,SCOPE...]");
            return 2;
        }
        string? name = null, scopes = null;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--name": name = args[i + 1]; break;
                case "--scopes": scopes = args[i + 1]; break;
            }
        }
        var scopeList = (scopes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = scopeList.Where(s => !Scopes.All.Contains(s)).ToList();
        if (string.IsNullOrWhiteSpace(name) || scopeList.Length == 0 || unknown.Count > 0)
        {
            await Console.Error.WriteLineAsync($"usage: apps create --name NAME --scopes SCOPE[,SCOPE...]; scopes: {string.Join(", ", Scopes.All)}{(unknown.Count > 0 ? $"; unknown: {string.Join(", ", unknown)}" : "")}");
            return 2;
        }
        var builder = Host.CreateApplicationBuilder();
        builder.AddNotifyCore();
        builder.AddNotifyStorage();
        using var host = builder.Build();
        await host.Services.GetRequiredService<StorageInitializer>().StartAsync(CancellationToken.None);
        var appKey = AppSecrets.NewAppKey();
        var secret = AppSecrets.NewSecret();
        await host.Services.GetRequiredService<IAppStore>().PutAsync(new AppRecord(appKey, name, [AppSecrets.Hash(secret)], scopeList, false, DateTimeOffset.UtcNow), CancellationToken.None);
        Console.WriteLine($"appKey:    {appKey}");
        Console.WriteLine($"appSecret: {secret}");
        Console.WriteLine("The secret is shown once and stored only as a hash. Keep it in your secret store.");
        return 0;
    }
}
