using System.Diagnostics;

[assembly: AssemblyFixture(typeof(Notify.Infra.Tests.InfraFixture))]

namespace Notify.Infra.Tests;

/// <summary>
/// Compiles infra/ once per test run with the pinned Bicep CLI (scripts/bicep.sh, restored from NuGet) and keeps
/// what the tests read: the ARM template (main.json) and offline What-If snapshots of the resources each
/// parameter set would deploy: the three checked-in examples and a "full" set that configures every public option.
/// </summary>
public sealed class InfraFixture : IDisposable
{
    // Fake secret values for the full parameter set: they must never show up outside Key Vault.
    public static readonly IReadOnlyDictionary<string, string> FakeSecrets = new Dictionary<string, string>
    {
        ["fcmServiceAccountJson"] = "{\"type\":\"service_account\",\"private_key\":\"FAKE-FCM-SECRET-7c1e\"}",
        ["apnsPrivateKey"] = "-----BEGIN PRIVATE KEY-----FAKE-APNS-SECRET-52aa-----END PRIVATE KEY-----",
        ["sendGridApiKey"] = "SG.FAKE-SENDGRID-SECRET-90d3",
        ["twilioAuthToken"] = "FAKE-TWILIO-SECRET-3b77",
        ["notifyAlertWebhookUrl"] = "https://hooks.example.com/notify?token=FAKE-APP-WEBHOOK-SECRET-d41f",
        ["alertWebhookServiceUri"] = "https://hooks.example.com/azure?token=FAKE-ACTION-WEBHOOK-SECRET-e5f0",
        ["trackingSigningKey"] = "RkFLRS1UUkFDS0lORy1TSUdOSU5HLUtFWS0wMDAwMDAwMDAwMDA=",
        ["trackingPreviousSigningKey"] = "RkFLRS1UUkFDS0lORy1QUkVWSU9VUy1LRVktMTExMTExMTExMTE=",
        ["preferenceLinksSigningKey"] = "RkFLRS1QUkVGRVJFTkNFLUxJTktTLUtFWS00NDQ0NDQ0NDQ0NDQ=",
        ["preferenceLinksPreviousSigningKey"] = "RkFLRS1QUkVGRVJFTkNFLVBSRVZJT1VTLUtFWS01NTU1NTU1NTU=",
        ["twilioWebhookAuthToken"] = "FAKE-TWILIO-WEBHOOK-SECRET-8a2c",
        ["smtpPassword"] = "FAKE-SMTP-SECRET-61b9",
        ["vonageApiSecret"] = "FAKE-VONAGE-SECRET-0f4e",
        ["consoleSigningKey"] = "RkFLRS1DT05TT0xFLVNJR05JTkctS0VZLTIyMjIyMjIyMjIyMjI=",
        ["consoleEntraClientSecret"] = "FAKE-ENTRA-CLIENT-SECRET-93d7",
        ["consoleContactLookupKey"] = "RkFLRS1DT05UQUNULUxPT0tVUC1LRVktMzMzMzMzMzMzMzMzMzM=",
    };

    public const string FullConsoleEntraClientId = "66666666-7777-8888-9999-000000000000";
    public const string FullConsoleEntraTenantId = "99999999-8888-7777-6666-555555555555";
    public const string FullConsoleEntraGroupId = "12121212-3434-5656-7878-909090909090";

    public const string FullEnvironmentName = "notify-full";
    public const string FullOperatorPrincipalId = "11111111-2222-3333-4444-555555555555";
    public const int FullQueueAgeMinutes = 45;

    private readonly string workDirectory;
    private readonly Lazy<string> bicepPath;

    public InfraFixture()
    {
        RepoRoot = FindRepoRoot();
        bicepPath = new(() => RunScript("path").Trim().Split('\n')[^1].Trim());
        workDirectory = Path.Combine(Path.GetTempPath(), "notify-infra-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDirectory);

        RunScript("build", workDirectory);
        var fullParams = Path.Combine(workDirectory, "full.bicepparam");
        File.WriteAllText(fullParams, FullParameters());
        RunScript("snapshot", fullParams, Path.Combine(workDirectory, "full.snapshot.json"));

        Template = Load("main.json");
        Dev = new Snapshot(Load("main.snapshot.json"));
        Prod = new Snapshot(Load("main.prod.snapshot.json"));
        Private = new Snapshot(Load("main.private.snapshot.json"));
        Full = new Snapshot(Load("full.snapshot.json"));
    }

    public string RepoRoot { get; }

    /// <summary>The compiled ARM template of infra/main.bicep.</summary>
    public JsonObject Template { get; }

    /// <summary>What infra/main.bicepparam deploys.</summary>
    public Snapshot Dev { get; }

    /// <summary>What infra/main.prod.bicepparam deploys.</summary>
    public Snapshot Prod { get; }

    /// <summary>What infra/main.private.bicepparam deploys: the private network option (vnetEnabled, NAT gateway).</summary>
    public Snapshot Private { get; }

    /// <summary>What a parameter set that configures every provider and option deploys.</summary>
    public Snapshot Full { get; }

    /// <summary>Runs scripts/bicep.sh with the arguments; returns its output, or fails with it.</summary>
    public string RunScript(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The example parameter files read AZURE_* and NOTIFY_* variables (azd's and the deploying shell's);
        // the tests predict the examples as checked in, whatever this machine's environment holds.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AZURE_", StringComparison.Ordinal) || k.StartsWith("NOTIFY_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.ArgumentList.Add(Path.Combine(RepoRoot, "scripts", "bicep.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/bicep.sh {string.Join(' ', arguments)} did not finish in 5 minutes.");
        }
        var output = stdout.Result + stderr.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/bicep.sh {string.Join(' ', arguments)} exited {process.ExitCode}:\n{output}");
        }
        return output;
    }

    /// <summary>
    /// Runs the pinned bicep binary itself (not scripts/bicep.sh, which fills the examples' required variables)
    /// with only the given AZURE_* and NOTIFY_* variables set; returns its exit code and output.
    /// </summary>
    public (int ExitCode, string Output) RunBicep(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var bicep = bicepPath.Value;
        var start = new ProcessStartInfo(bicep)
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AZURE_", StringComparison.Ordinal) || k.StartsWith("NOTIFY_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish in 2 minutes.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private JsonObject Load(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(workDirectory, file)))!.AsObject();

    private static string FullParameters() => $$"""
        using 'main.bicep'
        param environmentName = '{{FullEnvironmentName}}'
        param principalId = '{{FullOperatorPrincipalId}}'
        param principalType = 'Group'
        param operatorKeyVaultSecretsOfficer = true
        param alertEmailAddresses = ['oncall@example.com', 'lead@example.com']
        param alertWebhookServiceUri = '{{FakeSecrets["alertWebhookServiceUri"]}}'
        param queueAgeAlertThresholdMinutes = {{FullQueueAgeMinutes}}
        param keyVaultEnablePurgeProtection = true
        param rateLimitDefaultPush = 30
        param rateLimitDefaultEmail = 12
        param rateLimitDefaultSms = 4
        param deliveryMaxAttempts = 6
        param deliveryDeliveriesPerMessage = 16
        param deliveryParallelismPerMessage = 4
        param rateLimitApps = { shop: { push: 3, email: 2, sms: 1 }, billing: { sms: 0 } }
        param quotaRequestsPerSecond = 50
        param quotaBurst = 80
        param quotaApps = { shop: { requestsPerSecond: 20, burst: 40 } }
        param deliveryRetryBaseDelay = '00:00:02'
        param deliveryRetryMaxDelay = '00:20:00'
        param trustedProxies = ['127.0.0.1', '::1', '10.0.0.0/8', '[fd00::1]:80']
        param consoleSessionMinutes = 45
        param consoleContactLookupKey = '{{FakeSecrets["consoleContactLookupKey"]}}'
        param vonageStatusCallbackUrl = 'https://notify.example.com/api/v1/webhooks/vonage'
        param fcmProjectId = 'notify-test-project'
        param fcmServiceAccountJson = '{{FakeSecrets["fcmServiceAccountJson"].Replace("'", "\\'", StringComparison.Ordinal)}}'
        param apnsKeyId = 'ABC123DEFG'
        param apnsTeamId = 'TEAM123456'
        param apnsPrivateKey = '{{FakeSecrets["apnsPrivateKey"]}}'
        param apnsTopic = 'com.example.app'
        param apnsEnvironment = 'sandbox'
        param sendGridApiKey = '{{FakeSecrets["sendGridApiKey"]}}'
        param sendGridFromEmail = 'notifications@example.com'
        param sendGridFromName = 'Example'
        param twilioAccountSid = 'AC00000000000000000000000000000000'
        param twilioAuthToken = '{{FakeSecrets["twilioAuthToken"]}}'
        param twilioFromNumber = '+15005550006'
        param twilioStatusCallbackUrl = 'https://notify.example.com/api/v1/webhooks/twilio'
        param notifyAlertWebhookUrl = '{{FakeSecrets["notifyAlertWebhookUrl"]}}'
        param trackingBaseUrl = 'https://notify.example.com/api'
        param trackingSigningKey = '{{FakeSecrets["trackingSigningKey"]}}'
        param trackingPreviousSigningKey = '{{FakeSecrets["trackingPreviousSigningKey"]}}'
        param trackingTokenLifetime = '30.00:00:00'
        param trackingOpenPixel = false
        param trackingClickLinks = true
        param preferenceLinksBaseUrl = 'https://notify.example.com/api'
        param preferenceLinksSigningKey = '{{FakeSecrets["preferenceLinksSigningKey"]}}'
        param preferenceLinksPreviousSigningKey = '{{FakeSecrets["preferenceLinksPreviousSigningKey"]}}'
        param preferenceLinksTokenLifetime = '45.00:00:00'
        param sendGridWebhookPublicKey = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE-public-key'
        param sendGridWebhookMaxAge = '00:05:00'
        param twilioWebhookAuthToken = '{{FakeSecrets["twilioWebhookAuthToken"]}}'
        param twilioWebhookCallbackUrl = 'https://notify.example.com/api/v1/webhooks/twilio'
        param twilioWebhookMaxAge = '2.00:00:00'
        param smtpHost = 'smtp.example.com'
        param smtpPort = 465
        param smtpSecurity = 'Tls'
        param smtpUserName = 'notify'
        param smtpPassword = '{{FakeSecrets["smtpPassword"]}}'
        param smtpFromEmail = 'notifications@example.com'
        param smtpFromName = 'Example'
        param vonageApiKey = 'abcd1234'
        param vonageApiSecret = '{{FakeSecrets["vonageApiSecret"]}}'
        param vonageFrom = '+15005550007'
        param providerOrderEmail = 'smtp,sendgrid'
        param providerOrderSms = 'twilio,vonage'
        param consoleSigningKey = '{{FakeSecrets["consoleSigningKey"]}}'
        param consoleEntraClientId = '{{FullConsoleEntraClientId}}'
        param consoleEntraTenantId = '{{FullConsoleEntraTenantId}}'
        param consoleEntraClientSecret = '{{FakeSecrets["consoleEntraClientSecret"]}}'
        param consoleEntraAllowedGroupIds = ['{{FullConsoleEntraGroupId}}']
        """;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NotifyFunctions.sln")) || Directory.Exists(Path.Combine(dir.FullName, ".git")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No NotifyFunctions.sln or .git above {AppContext.BaseDirectory}.");
    }
}

/// <summary>The resources a parameter set would deploy, as `bicep snapshot` predicts them.</summary>
public sealed class Snapshot(JsonObject document)
{
    public JsonObject Document => document;

    public IReadOnlyList<JsonObject> Resources => [.. document["predictedResources"]!.AsArray().Select(r => r!.AsObject())];

    public IReadOnlyList<JsonObject> OfType(string type) =>
        [.. Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase))];

    public JsonObject Single(string type) => Assert.Single(OfType(type));
}
