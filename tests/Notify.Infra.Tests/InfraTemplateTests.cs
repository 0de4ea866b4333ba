namespace Notify.Infra.Tests;

/// <summary>
/// Reviews what infra/main.bicep would deploy, What-If style, from offline snapshots of the examples and of a
/// parameter set that turns everything on (see <see cref="InfraFixture"/>).
/// </summary>
public sealed partial class InfraTemplateTests(InfraFixture infra)
{
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

    private static readonly string[] ChannelQueues = ["notify-push", "notify-email", "notify-sms", "notify-inbox"];

    public static TheoryData<string> ParameterSets => ["dev", "prod", "private", "full"];

    [Fact]
    public void Templates_build_and_lint_without_a_single_warning()
    {
        var output = infra.RunScript("check");

        Assert.Contains("build and lint clean", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Warning", output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public void Snapshot_predicts_every_resource_without_short_circuiting(string set)
    {
        var snapshot = Get(set);

        Assert.Empty(snapshot.Document["diagnostics"]!.AsArray());
        Assert.NotEmpty(snapshot.Resources);
    }

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public void Storage_account_refuses_shared_key_and_public_blob_access(string set)
    {
        var properties = Get(set).Single("Microsoft.Storage/storageAccounts")["properties"]!;

        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
        Assert.True((bool)properties["defaultToOAuthAuthentication"]!);
    }

    [Fact]
    public void Storage_account_has_each_channel_queue_with_its_poison_queue()
    {
        var queues = infra.Dev.OfType("Microsoft.Storage/storageAccounts/queueServices/queues")
            .Select(q => ((string)q["name"]!).Split('/')[^1])
            .ToHashSet();

        foreach (var queue in ChannelQueues.Concat(["notify-broadcast", "notify-push-bulk", "notify-email-bulk", "notify-sms-bulk"]))
        {
            Assert.Contains(queue, queues);
            Assert.Contains(queue + "-poison", queues);
        }
    }

    [Fact]
    public void Deployment_package_container_is_private_and_the_app_deploys_from_it_with_its_identity()
    {
        var container = infra.Dev.Single("Microsoft.Storage/storageAccounts/blobServices/containers");
        var containerName = ((string)container["name"]!).Split('/')[^1];
        var storage = infra.Dev.Single("Microsoft.Storage/storageAccounts");
        var identityId = (string)infra.Dev.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        var deployment = Site(infra.Dev)["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;

        Assert.Equal("None", (string?)container["properties"]!["publicAccess"]);
        Assert.Equal("blobContainer", (string?)deployment["type"]);
        // https://<account>.blob.<suffix>/<container>: the blob endpoint is known only once the account exists.
        Assert.Matches(
            $@"^\[format\('\{{0\}}\{{1\}}', reference\('{Regex.Escape((string)storage["id"]!)}', '[^']+'\)\.primaryEndpoints\.blob, '{Regex.Escape(containerName)}'\)\]$",
            (string)deployment["value"]!);
        Assert.Equal("UserAssignedIdentity", (string?)deployment["authentication"]!["type"]);
        Assert.Equal(identityId, (string?)deployment["authentication"]!["userAssignedIdentityResourceId"]);
    }

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public void Function_app_runs_dotnet_isolated_10_on_flex_consumption(string set)
    {
        var snapshot = Get(set);
        var plan = snapshot.Single("Microsoft.Web/serverfarms");
        var site = Site(snapshot);
        var runtime = site["properties"]!["functionAppConfig"]!["runtime"]!;

        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.True((bool)plan["properties"]!["reserved"]!);
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal((string?)plan["id"], (string?)site["properties"]!["serverFarmId"]);
        Assert.Equal("dotnet-isolated", (string?)runtime["name"]);
        Assert.Equal("10.0", (string?)runtime["version"]);
        Assert.True((bool)site["properties"]!["httpsOnly"]!);
    }

    [Fact]
    public void Function_app_runs_as_the_user_assigned_identity_and_resolves_key_vault_references_with_it()
    {
        var identityId = (string)infra.Full.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        var site = Site(infra.Full);

        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Equal([identityId], site["identity"]!["userAssignedIdentities"]!.AsObject().Select(p => p.Key));
        // The property takes the identity's resource id (a client id is not accepted there).
        Assert.Equal(identityId, (string?)site["properties"]!["keyVaultReferenceIdentity"]);
    }

    [Fact]
    public void Function_app_turns_off_basic_auth_publishing()
    {
        var policies = infra.Dev.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");

        Assert.Equal(["ftp", "scm"], policies.Select(p => ((string)p["name"]!).Split('/')[^1]).Order());
        Assert.All(policies, p => Assert.False((bool)p["properties"]!["allow"]!));
    }

    [Theory]
    [InlineData(TableDataContributor, "Microsoft.Storage/storageAccounts")]
    [InlineData(QueueDataContributor, "Microsoft.Storage/storageAccounts")]
    [InlineData(BlobDataOwner, "Microsoft.Storage/storageAccounts")]
    [InlineData(KeyVaultSecretsUser, "Microsoft.KeyVault/vaults")]
    [InlineData(MonitoringMetricsPublisher, "Microsoft.Insights/components")]
    public void App_identity_holds_its_role_named_guid_of_scope_principal_and_role(string roleId, string scopeType)
    {
        var identityId = (string)infra.Dev.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        var scopeId = (string)infra.Dev.Single(scopeType)["id"]!;
        var assignment = Assert.Single(RoleAssignments(infra.Dev), r => ((string)r["properties"]!["roleDefinitionId"]!).EndsWith("/" + roleId, StringComparison.Ordinal));
        var principal = (string)assignment["properties"]!["principalId"]!;

        // The principal id exists only once the identity does: it stays an expression on the identity.
        Assert.Matches($"^\\[reference\\('{Regex.Escape(identityId)}', '[^']+'\\)\\.principalId\\]$", principal);
        Assert.Equal("ServicePrincipal", (string?)assignment["properties"]!["principalType"]);
        Assert.Equal($"[guid('{scopeId}', {principal[1..^1]}, '{roleId}')]", (string?)assignment["name"]);
        Assert.Contains($"extensionResourceId('{scopeId}', 'Microsoft.Authorization/roleAssignments'", (string)assignment["id"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Operator_gets_table_queue_and_optionally_secrets_officer_roles_only_when_a_principal_is_given()
    {
        var devOperator = RoleAssignments(infra.Dev).Where(r => (string?)r["properties"]!["principalType"] != "ServicePrincipal");
        var fullOperator = RoleAssignments(infra.Full).Where(r => (string?)r["properties"]!["principalId"] == InfraFixture.FullOperatorPrincipalId).ToList();
        var vaultId = (string)infra.Full.Single("Microsoft.KeyVault/vaults")["id"]!;

        Assert.Empty(devOperator);
        Assert.Equal(
            [TableDataContributor, QueueDataContributor, KeyVaultSecretsOfficer],
            fullOperator.Select(r => ((string)r["properties"]!["roleDefinitionId"]!).Split('/')[^1]).Order(StringComparer.Ordinal));
        Assert.All(fullOperator, r => Assert.Equal("Group", (string?)r["properties"]!["principalType"]));
        var officer = Assert.Single(fullOperator, r => ((string)r["properties"]!["roleDefinitionId"]!).EndsWith(KeyVaultSecretsOfficer, StringComparison.Ordinal));
        Assert.StartsWith($"{vaultId}/providers/Microsoft.Authorization/roleAssignments/", (string)officer["id"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_vault_authorizes_by_rbac_and_production_turns_on_purge_protection()
    {
        var dev = infra.Dev.Single("Microsoft.KeyVault/vaults")["properties"]!;
        var prod = infra.Prod.Single("Microsoft.KeyVault/vaults")["properties"]!;

        Assert.True((bool)dev["enableRbacAuthorization"]!);
        Assert.True((bool)dev["enableSoftDelete"]!);
        Assert.Null(dev["enablePurgeProtection"]);
        Assert.True((bool)prod["enableRbacAuthorization"]!);
        Assert.True((bool)prod["enablePurgeProtection"]!);
    }

    [Fact]
    public void Provider_secrets_are_stored_in_key_vault_and_only_for_configured_providers()
    {
        var vault = (string)infra.Full.Single("Microsoft.KeyVault/vaults")["name"]!;
        var secrets = infra.Full.OfType("Microsoft.KeyVault/vaults/secrets");

        Assert.Equal(
            [
                "alerts-webhook-url", "apns-private-key", "console-contact-lookup-key", "console-entra-client-secret", "console-signing-key",
                "fcm-service-account-json", "preference-links-previous-signing-key", "preference-links-signing-key",
                "sendgrid-api-key", "smtp-password", "tracking-previous-signing-key",
                "tracking-signing-key", "twilio-auth-token", "twilio-webhook-auth-token", "vonage-api-secret",
            ],
            secrets.Select(s => ((string)s["name"]!).Split('/')[^1]).Order(StringComparer.Ordinal));
        Assert.All(secrets, s => Assert.StartsWith(vault + "/", (string)s["name"]!, StringComparison.Ordinal));
        // The value stays a reference to the secure parameter: the snapshot (like What-If) never shows it.
        Assert.All(secrets, s => Assert.Matches(@"^\[parameters\('\w+'\)\]$", (string)s["properties"]!["value"]!));
        // Whether a secret is deployed hangs on its secure parameter, which only the deployment sees.
        Assert.All(infra.Dev.OfType("Microsoft.KeyVault/vaults/secrets"), s => Assert.NotNull(s["condition"]));
    }

    [Fact]
    public void The_console_signing_key_is_stored_even_when_no_parameter_gives_it()
    {
        // The development example gives none: the deployment generates one (the console is always served).
        var secret = Assert.Single(infra.Dev.OfType("Microsoft.KeyVault/vaults/secrets"), s => ((string)s["name"]!).EndsWith("/console-signing-key", StringComparison.Ordinal));

        Assert.Contains("newGuid()", (string)secret["properties"]!["value"]!, StringComparison.Ordinal);
        Assert.Contains("newGuid()", (string)secret["condition"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Entra_sign_in_guards_the_console_and_leaves_every_api_route_to_its_own_authentication()
    {
        var auth = Assert.Single(infra.Full.OfType("Microsoft.Web/sites/config"), c => ((string)c["name"]!).EndsWith("/authsettingsV2", StringComparison.Ordinal))["properties"]!;
        var excluded = auth["globalValidation"]!["excludedPaths"]!.AsArray().Select(p => (string)p!).ToList();
        var entra = auth["identityProviders"]!["azureActiveDirectory"]!;
        // Every HTTP function but the console's is under /api/: the API, the webhooks, tracking links and health.

        Assert.True((bool)auth["platform"]!["enabled"]!);
        Assert.True((bool)auth["globalValidation"]!["requireAuthentication"]!);
        Assert.Equal("RedirectToLoginPage", (string?)auth["globalValidation"]!["unauthenticatedClientAction"]);
        Assert.Contains("/api/*", excluded);
        Assert.DoesNotContain(excluded, p => "/console/".StartsWith(p.TrimEnd('*'), StringComparison.Ordinal));
        Assert.True((bool)entra["enabled"]!);
        Assert.Equal(InfraFixture.FullConsoleEntraClientId, (string?)entra["registration"]!["clientId"]);
        // The login endpoint is the cloud's (environment()), known only at deployment; the tenant and version are fixed.
        var issuer = (string)entra["registration"]!["openIdIssuer"]!;
        Assert.Contains("environment().authentication.loginEndpoint", issuer, StringComparison.Ordinal);
        Assert.Contains($"'{InfraFixture.FullConsoleEntraTenantId}'", issuer, StringComparison.Ordinal);
        Assert.Contains("/v2.0", issuer, StringComparison.Ordinal);
        // Named only when the (secure, so unevaluated here) client secret is given: the app setting holds its reference.
        var secretSetting = (string)entra["registration"]!["clientSecretSettingName"]!;
        Assert.Contains("'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'", secretSetting, StringComparison.Ordinal);
        Assert.Contains("parameters('consoleEntraClientSecret')", secretSetting, StringComparison.Ordinal);
        Assert.Equal([InfraFixture.FullConsoleEntraGroupId], entra["validation"]!["defaultAuthorizationPolicy"]!["allowedPrincipals"]!["groups"]!.AsArray().Select(g => (string)g!));
        // Off unless a client id is given, and deployed off, so dropping the parameter turns a sign-in off again.
        Assert.All(new[] { infra.Dev, infra.Prod }, snapshot =>
            Assert.False((bool)Assert.Single(snapshot.OfType("Microsoft.Web/sites/config"))["properties"]!["platform"]!["enabled"]!));
    }

    [Fact]
    public void A_tracking_base_url_without_a_signing_key_fails_the_deployment_naming_the_parameter()
    {
        var folder = Directory.CreateTempSubdirectory("notify-infra-tracking-");
        try
        {
            var parameters = Path.Combine(folder.FullName, "tracking-without-key.bicepparam");
            File.WriteAllText(parameters, """
                using 'main.bicep'
                param environmentName = 'notify-tracking'
                param trackingBaseUrl = 'https://notify.example.com/api'
                """);

            // bicep snapshot evaluates the template with the ARM engine, as a deployment's validation would.
            var failure = Assert.Throws<InvalidOperationException>(() =>
                infra.RunScript("snapshot", parameters, Path.Combine(folder.FullName, "snapshot.json")));

            Assert.Contains("trackingSigningKey is required when trackingBaseUrl is set", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Application_insights_accepts_only_entra_id_telemetry()
    {
        var component = infra.Dev.Single("Microsoft.Insights/components");
        var workspace = infra.Dev.Single("Microsoft.OperationalInsights/workspaces");

        Assert.True((bool)component["properties"]!["DisableLocalAuth"]!);
        Assert.Equal((string?)workspace["id"], (string?)component["properties"]!["WorkspaceResourceId"]);
        Assert.True((bool)workspace["properties"]!["features"]!["disableLocalAuth"]!);
    }

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public void Every_taggable_resource_carries_the_azd_environment_tag(string set)
    {
        var snapshot = Get(set);
        // Extension and child resources that ARM does not tag.
        string[] untaggable =
        [
            "Microsoft.Authorization/roleAssignments",
            "Microsoft.Insights/diagnosticSettings",
            "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            "Microsoft.Storage/storageAccounts/blobServices",
            "Microsoft.Storage/storageAccounts/blobServices/containers",
            "Microsoft.Storage/storageAccounts/queueServices",
            "Microsoft.Storage/storageAccounts/queueServices/queues",
            "Microsoft.Storage/storageAccounts/tableServices",
            "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
            "Microsoft.Web/sites/config",
        ];
        var environmentName = (string)snapshot.Single("Microsoft.Web/sites")["tags"]!["azd-env-name"]!;

        Assert.All(
            snapshot.Resources.Where(r => !untaggable.Contains((string)r["type"]!)),
            r => Assert.True(
                (string?)r["tags"]?["azd-env-name"] == environmentName,
                $"{r["type"]} {r["name"]} lacks the azd-env-name tag"));
    }

    [Fact]
    public void Function_app_is_tagged_as_the_azd_api_service()
    {
        var tags = Site(infra.Dev)["tags"]!;

        Assert.Equal("api", (string?)tags["azd-service-name"]);
        Assert.Equal("notify-dev", (string?)tags["azd-env-name"]);
    }

    [Fact]
    public void Resource_names_are_abbreviation_plus_a_token_of_the_environment()
    {
        string Name(Snapshot s, string type) => (string)s.Single(type)["name"]!;

        Assert.Matches("^st[a-z0-9]{13}$", Name(infra.Dev, "Microsoft.Storage/storageAccounts"));
        Assert.Matches("^kv-[a-z0-9]{13}$", Name(infra.Dev, "Microsoft.KeyVault/vaults"));
        Assert.Matches("^func-api-[a-z0-9]{13}$", Name(infra.Dev, "Microsoft.Web/sites"));
        Assert.NotEqual(Name(infra.Dev, "Microsoft.Web/sites"), Name(infra.Full, "Microsoft.Web/sites"));
    }

    [Fact]
    public void Every_parameter_says_whether_it_is_required_and_every_output_is_described()
    {
        var parameters = AllTemplates(infra.Template)
            .SelectMany(t => (t["parameters"]?.AsObject() ?? []).Select(p => (Name: p.Key, Declaration: p.Value!.AsObject())))
            .ToList();
        var outputs = AllOutputs(infra.Template).ToList();

        Assert.NotEmpty(parameters);
        // AVM: "Required." parameters have no default; "Optional." ones have a default or may be null.
        Assert.All(parameters, p =>
        {
            var description = (string?)p.Declaration["metadata"]?["description"] ?? "";
            var optional = p.Declaration.ContainsKey("defaultValue") || p.Declaration["nullable"]?.GetValue<bool>() == true;
            Assert.True(
                description.StartsWith(optional ? "Optional. " : "Required. ", StringComparison.Ordinal),
                $"parameter {p.Name}: '{description}'");
        });
        Assert.All(outputs, o => Assert.False(
            string.IsNullOrWhiteSpace((string?)o.Output["metadata"]?["description"]),
            $"output {o.Name} has no description"));
    }

    [Fact]
    public void Outputs_carry_no_secret()
    {
        var secureParameters = infra.Template["parameters"]!.AsObject()
            .Where(p => ((string)p.Value!["type"]!).StartsWith("secure", StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Key)
            .ToList();
        var outputs = AllOutputs(infra.Template).ToList();

        Assert.NotEmpty(secureParameters);
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o =>
        {
            var (name, output) = o;
            var text = output.ToJsonString();
            Assert.False(((string)output["type"]!).StartsWith("secure", StringComparison.OrdinalIgnoreCase), $"{name} is a secure output");
            Assert.DoesNotMatch(@"list\w*\(", text);
            Assert.DoesNotMatch(@"(?i)(password|secret|key)\b", name);
            Assert.All(secureParameters, p => Assert.DoesNotContain($"parameters('{p}')", text, StringComparison.OrdinalIgnoreCase));
        });
        Assert.DoesNotContain(infra.Template["outputs"]!.AsObject(), o => o.Key.Contains("CONNECTION_STRING", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void No_secret_value_appears_anywhere_in_the_predicted_deployment()
    {
        var everything = infra.Full.Document.ToJsonString();

        Assert.All(InfraFixture.FakeSecrets.Values, secret =>
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal));
    }

    [Fact]
    public void Alert_rules_watch_dead_letters_queue_age_app_alerts_and_failure_rate_per_channel()
    {
        var rules = AlertRules(infra.Dev);

        var deadLetters = rules["dead-letters"];
        Assert.Contains("StorageQueueLogs", Query(deadLetters), StringComparison.Ordinal);
        Assert.All(ChannelQueues.Concat(["notify-broadcast", "notify-push-bulk", "notify-email-bulk", "notify-sms-bulk"]), q => Assert.Contains($"\"{q}-poison\"", Query(deadLetters), StringComparison.Ordinal));
        AssertCondition(deadLetters, "GreaterThan", 0, "QueueName");

        var queueAge = rules["queue-age"];
        Assert.Contains("\"notify.queue.oldest_age\"", Query(queueAge), StringComparison.Ordinal);
        Assert.Contains("Properties[\"kind\"]) == \"work\"", Query(queueAge), StringComparison.Ordinal);
        AssertCondition(queueAge, "GreaterThan", 60, "QueueName");

        var appAlerts = rules["notify-alerts"];
        Assert.Contains("\"notify.alerts\"", Query(appAlerts), StringComparison.Ordinal);
        AssertCondition(appAlerts, "GreaterThan", 0, "AlertKind");

        var failureRate = rules["failure-rate"];
        Assert.Contains("\"notify.deliveries.failed\"", Query(failureRate), StringComparison.Ordinal);
        Assert.Contains("\"notify.deliveries.sent\"", Query(failureRate), StringComparison.Ordinal);
        Assert.Contains("by Channel", Query(failureRate), StringComparison.Ordinal);
        AssertCondition(failureRate, "GreaterThan", 10, "Channel");
    }

    [Fact]
    public void No_alert_rule_reads_a_sampled_table()
    {
        // host.json samples the host's telemetry (AppTraces, AppRequests, AppDependencies...); a rule that counts
        // rows there can miss what it counts. Metrics (AppMetrics) and storage diagnostic logs are not sampled.
        string[] unsampled = ["AppMetrics", "StorageQueueLogs"];

        Assert.All(AlertRules(infra.Dev), rule =>
        {
            var tables = TableReference().Matches(Query(rule.Value)).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(tables);
            Assert.All(tables, t => Assert.True(unsampled.Contains(t), $"{rule.Key} reads {t}"));
            Assert.DoesNotContain("AppTraces", Query(rule.Value), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Alert_rules_query_the_workspace_the_diagnostic_logs_go_to_and_notify_the_action_group()
    {
        var workspaceId = (string)infra.Dev.Single("Microsoft.OperationalInsights/workspaces")["id"]!;
        var actionGroupId = (string)infra.Dev.Single("Microsoft.Insights/actionGroups")["id"]!;
        var queueDiagnostics = Assert.Single(
            infra.Dev.OfType("Microsoft.Insights/diagnosticSettings"),
            d => ((string)d["id"]!).Contains("/queueServices/default/", StringComparison.Ordinal));

        Assert.Equal(workspaceId, (string?)queueDiagnostics["properties"]!["workspaceId"]);
        Assert.Equal(["StorageWrite"], queueDiagnostics["properties"]!["logs"]!.AsArray().Select(l => (string)l!["category"]!));
        Assert.All(AlertRules(infra.Dev).Values, rule =>
        {
            Assert.Equal([workspaceId], rule["properties"]!["scopes"]!.AsArray().Select(s => (string)s!));
            Assert.Equal([actionGroupId], rule["properties"]!["actions"]!["actionGroups"]!.AsArray().Select(s => (string)s!));
            Assert.True((bool)rule["properties"]!["enabled"]!);
        });
    }

    [Fact]
    public void Queue_age_threshold_follows_its_parameter()
    {
        AssertCondition(AlertRules(infra.Full)["queue-age"], "GreaterThan", InfraFixture.FullQueueAgeMinutes, "QueueName");
    }

    [Fact]
    public void Action_group_mails_the_given_addresses_and_has_no_receiver_otherwise()
    {
        var dev = infra.Dev.Single("Microsoft.Insights/actionGroups")["properties"]!;
        var full = infra.Full.Single("Microsoft.Insights/actionGroups")["properties"]!;

        Assert.Empty(dev["emailReceivers"]!.AsArray());
        Assert.Equal(
            ["oncall@example.com", "lead@example.com"],
            full["emailReceivers"]!.AsArray().Select(r => (string)r!["emailAddress"]!));
        Assert.All(full["emailReceivers"]!.AsArray(), r => Assert.True((bool)r!["useCommonAlertSchema"]!));
        // The webhook is a secure parameter, so the snapshot keeps it conditional on that parameter.
        Assert.Contains("alertWebhookServiceUri", full["webhookReceivers"]!.ToJsonString(), StringComparison.Ordinal);
    }

    private Snapshot Get(string set) => set switch
    {
        "dev" => infra.Dev,
        "prod" => infra.Prod,
        "private" => infra.Private,
        _ => infra.Full,
    };

    private static JsonObject Site(Snapshot snapshot) => snapshot.Single("Microsoft.Web/sites");

    private static IEnumerable<JsonObject> RoleAssignments(Snapshot snapshot) =>
        snapshot.OfType("Microsoft.Authorization/roleAssignments");

    private static Dictionary<string, JsonObject> AlertRules(Snapshot snapshot) =>
        snapshot.OfType("Microsoft.Insights/scheduledQueryRules").ToDictionary(
            r => RuleKey().Match((string)r["name"]!).Groups[1].Value,
            r => r);

    private static string Query(JsonObject rule) =>
        (string)rule["properties"]!["criteria"]!["allOf"]![0]!["query"]!;

    private static void AssertCondition(JsonObject rule, string op, int threshold, string dimension)
    {
        var condition = rule["properties"]!["criteria"]!["allOf"]![0]!;
        Assert.Equal(op, (string?)condition["operator"]);
        Assert.Equal(threshold, (int)condition["threshold"]!);
        Assert.Equal(dimension, (string?)condition["dimensions"]![0]!["name"]);
        Assert.Contains((string)condition["metricMeasureColumn"]!, Query(rule), StringComparison.Ordinal);
        Assert.Contains(dimension, Query(rule), StringComparison.Ordinal);
    }

    /// <summary>The outputs of main.bicep and of every module it deploys.</summary>
    private static IEnumerable<(string Name, JsonObject Output)> AllOutputs(JsonObject template) =>
        AllTemplates(template).SelectMany(t => (t["outputs"]?.AsObject() ?? []).Select(o => (o.Key, o.Value!.AsObject())));

    /// <summary>main.bicep's template and the templates of every module it deploys.</summary>
    private static IEnumerable<JsonObject> AllTemplates(JsonObject template)
    {
        yield return template;
        // Symbolic-name templates (languageVersion 2.0) keep resources in an object, others in an array.
        var resources = template["resources"] switch
        {
            JsonObject byName => byName.Select(p => p.Value),
            JsonArray list => list.AsEnumerable(),
            _ => [],
        };
        foreach (var resource in resources)
        {
            if (resource!["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in AllTemplates(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    [GeneratedRegex(@"^alert-[a-z0-9]+-(.+)$")]
    private static partial Regex RuleKey();

    /// <summary>A table a KQL query reads: a line that is nothing but a table name (the next line pipes it on).</summary>
    [GeneratedRegex(@"(?m)^([A-Z][A-Za-z]+)$")]
    private static partial Regex TableReference();
}
