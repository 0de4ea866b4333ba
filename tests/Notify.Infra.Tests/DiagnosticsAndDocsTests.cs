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
        var guide = Guide();
        string[] mustBeExplained =
        [
            "vnetEnabled", "natGatewayEnabled", "principalId", "principalType", "operatorKeyVaultSecretsOfficer",
            "trackingBaseUrl", "trackingSigningKey", "sendGridWebhookPublicKey", "twilioStatusCallbackUrl", "location",
            "smtpHost", "smtpPassword", "vonageApiKey", "vonageApiSecret", "providerOrderEmail", "providerOrderSms",
            "consoleSigningKey", "consoleEntraClientId", "consoleEntraClientSecret",
            "trustedProxies", "consoleSessionMinutes", "consoleContactLookupKey", "deliveryRetryBaseDelay",
            "deliveryRetryMaxDelay", "rateLimitApps", "vonageStatusCallbackUrl", "quotaRequestsPerSecond", "quotaBurst", "quotaApps",
        ];

        Assert.All(mustBeExplained, p =>
        {
            Assert.NotNull(infra.Template["parameters"]![p] as JsonObject);
            Assert.Contains($"`{p}`", guide, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Deploy_guide_sizes_the_flex_subnet_without_one_address_per_instance()
    {
        var guide = Guide();
        var description = (string)infra.Template["parameters"]!["vnetAppSubnetPrefix"]!["metadata"]!["description"]!;

        // issue 32: a Flex Consumption app's use of the subnet is bounded, not one address per instance.
        // The statement it replaces: "one address per instance, so `/22` leaves room for 1,000".
        Assert.DoesNotContain("one address per instance, so", guide, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("one address per instance", description, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("does **not** take one address per instance", guide, StringComparison.Ordinal);
        Assert.Contains("at least 40 addresses", guide, StringComparison.Ordinal);
        Assert.Contains("az provider register --namespace Microsoft.App", guide, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_guide_does_not_promise_mfa_in_front_of_what_the_console_can_do()
    {
        var guide = Guide();

        Assert.DoesNotContain("MFA and conditional access before anyone reaches the", guide, StringComparison.Ordinal);
        Assert.Contains("It does not put MFA in front of what the console can do", guide, StringComparison.Ordinal);
        Assert.Contains("`/api/*`", guide, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_guide_says_what_happens_behind_front_door_and_that_it_is_unverified()
    {
        var guide = Guide();
        var section = guide[guide.IndexOf("### Caller addresses", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n### ", 5, StringComparison.Ordinal)];

        Assert.Contains("Behind Azure Front Door", section, StringComparison.Ordinal);
        Assert.Contains("None of this is verified", section, StringComparison.Ordinal);
        Assert.Contains("`127.0.0.1:80`", section, StringComparison.Ordinal);
    }

    private string Guide() => File.ReadAllText(Path.Combine(infra.RepoRoot, "docs", "deploy.md"));
}
