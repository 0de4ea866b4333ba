using System.Text.Json.Nodes;

namespace Notify.Infra.Tests;

/// <summary>Diagnostic settings into Log Analytics, and the deployment guide (docs/deploy.md) that must explain them.</summary>
public sealed class DiagnosticsAndDocsTests(InfraFixture infra)
{
    public static TheoryData<string> ParameterSets => ["dev", "prod", "private", "full"];

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public void App_queue_table_and_vault_logs_go_to_the_workspace(string set)
    {
        var snapshot = set switch
        {
            "dev" => infra.Dev,
            "prod" => infra.Prod,
            "private" => infra.Private,
            _ => infra.Full,
        };
        var workspaceId = (string)snapshot.Single("Microsoft.OperationalInsights/workspaces")["id"]!;
        var settings = snapshot.OfType("Microsoft.Insights/diagnosticSettings");
        string[] Categories(string scope) => [.. Assert.Single(settings, d => ((string)d["id"]!).StartsWith(scope + "/providers/Microsoft.Insights/diagnosticSettings/", StringComparison.Ordinal))["properties"]!["logs"]!
            .AsArray().Where(l => (bool)l!["enabled"]!).Select(l => (string)l!["category"]!).Order(StringComparer.Ordinal)];
        var storageId = (string)snapshot.Single("Microsoft.Storage/storageAccounts")["id"]!;

        Assert.Equal(["FunctionAppLogs"], Categories((string)snapshot.Single("Microsoft.Web/sites")["id"]!));
        Assert.Equal(["StorageWrite"], Categories(storageId + "/queueServices/default"));
        Assert.Equal(["StorageDelete", "StorageWrite"], Categories(storageId + "/tableServices/default"));
        Assert.Equal(["AuditEvent"], Categories((string)snapshot.Single("Microsoft.KeyVault/vaults")["id"]!));
        Assert.Equal(4, settings.Count);
        Assert.All(settings, d => Assert.Equal(workspaceId, (string?)d["properties"]!["workspaceId"]));
    }

    [Fact]
    public void Deploy_guide_mentions_every_parameter_of_main_bicep_that_an_operator_sets()
    {
        var guide = File.ReadAllText(Path.Combine(infra.RepoRoot, "docs", "deploy.md"));
        string[] mustBeExplained =
        [
            "vnetEnabled", "natGatewayEnabled", "principalId", "principalType", "operatorKeyVaultSecretsOfficer",
            "trackingBaseUrl", "trackingSigningKey", "sendGridWebhookPublicKey", "twilioStatusCallbackUrl", "location",
            "smtpHost", "smtpPassword", "vonageApiKey", "vonageApiSecret", "providerOrderEmail", "providerOrderSms",
            "consoleSigningKey", "consoleEntraClientId", "consoleEntraClientSecret",
        ];

        Assert.All(mustBeExplained, p =>
        {
            Assert.NotNull(infra.Template["parameters"]![p] as JsonObject);
            Assert.Contains($"`{p}`", guide, StringComparison.Ordinal);
        });
    }
}
