using System.Text.Json;

namespace Notify.Infra.Tests;

/// <summary>
/// The app settings infra/main.bicep gives the function app must not drift from infra/app-settings.json, the
/// checked-in list of names the code reads ({"required", "optional", "secrets"}, each sorted; "secrets" is the
/// subset of the other two that must be Key Vault references). The code side, that every name in that file is
/// something the code binds, is in AppSettingsMatchCodeTests.Options.cs.
/// </summary>
public sealed partial class AppSettingsMatchCodeTests(InfraFixture infra)
{
    private const string TestVaultUri = "https://kv-test.vault.azure.net/";

    // Quotes stay quotes, so an expression's text can be searched as written.
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void Settings_file_has_three_sorted_lists_and_each_name_is_required_or_optional()
    {
        var file = ReadFile();

        Assert.Equal(["required", "optional", "secrets"], JsonNode.Parse(File.ReadAllText(FilePath))!.AsObject().Select(p => p.Key));
        foreach (var list in new[] { file.Required, file.Optional, file.Secrets })
        {
            Assert.Equal(list.Order(StringComparer.Ordinal), list);
            Assert.Equal(list.Distinct(StringComparer.Ordinal).Count(), list.Count);
        }
        Assert.Empty(file.Required.Intersect(file.Optional, StringComparer.Ordinal));
        Assert.Empty(file.Secrets.Except(file.Required.Concat(file.Optional), StringComparer.Ordinal));
    }

    [Fact]
    public void Every_setting_the_template_can_set_is_listed_in_the_settings_file()
    {
        var file = ReadFile();
        var listed = file.Required.Concat(file.Optional).ToHashSet(StringComparer.Ordinal);
        var declared = DeclaredSettings().Select(s => s.Name).ToList();
        var setWithEverything = Evaluate(FullParameters()).Keys.Select(AppKeyPattern).ToList();

        Assert.Contains("Notify__RateLimits__Apps__{key}__Sms", setWithEverything);

        Assert.NotEmpty(declared);
        Assert.All(declared.Concat(setWithEverything), name => Assert.True(listed.Contains(name), $"{name} is set by infra/ but missing from infra/app-settings.json"));
        // And the other way round: a name the template can no longer set is a stale entry.
        Assert.All(listed, name => Assert.True(declared.Contains(name), $"{name} is in infra/app-settings.json but infra/ never sets it"));
    }

    [Fact]
    public void Required_settings_are_set_unconditionally()
    {
        var file = ReadFile();
        var template = FunctionAppTemplate();
        var appSettings = (string)SiteOf(template)["properties"]!["siteConfig"]!["appSettings"]!;
        // siteConfig.appSettings may name a variable that holds the concat.
        while (Arm.Parse(appSettings) is Arm.Call { Name: "variables" } variable)
        {
            appSettings = (string)template["variables"]![(string)((Arm.Literal)variable.Arguments[0]).Value!]!;
        }
        var concat = Assert.IsType<Arm.Call>(Arm.Parse(appSettings));
        // Arguments of the top-level concat that are plain variables are always included; the rest sit under if().
        var unconditionalVariables = concat.Arguments
            .OfType<Arm.Call>()
            .Where(c => c.Name == "variables")
            .Select(c => (string)((Arm.Literal)c.Arguments[0]).Value!)
            .ToHashSet(StringComparer.Ordinal);
        var unconditional = DeclaredSettings().Where(s => unconditionalVariables.Contains(s.Variable)).Select(s => s.Name);

        Assert.Equal("concat", concat.Name);
        Assert.Equal(file.Required, unconditional.Order(StringComparer.Ordinal));
        Assert.Equal(file.Required, Evaluate(MinimalParameters()).Keys.Order(StringComparer.Ordinal));
        Assert.All(file.Required, name => Assert.Contains(name, Evaluate(FullParameters()).Keys));
    }

    [Fact]
    public void Optional_settings_are_set_only_when_their_parameters_are_given()
    {
        var file = ReadFile();

        Assert.Empty(Evaluate(MinimalParameters()).Keys.Intersect(file.Optional, StringComparer.Ordinal));
        Assert.Equal(
            file.Required.Concat(file.Optional).Except(ExclusiveOfFull, StringComparer.Ordinal).Order(StringComparer.Ordinal),
            Evaluate(FullParameters()).Keys.Select(AppKeyPattern).Distinct().Order(StringComparer.Ordinal));
        var messagingService = FullParameters();
        messagingService["twilioFromNumber"] = "";
        messagingService["twilioMessagingServiceSid"] = "MG00000000000000000000000000000000";
        Assert.Equal("MG00000000000000000000000000000000", Evaluate(messagingService)["Notify__Providers__Twilio__MessagingServiceSid"]);
        Assert.DoesNotContain("Notify__Providers__Twilio__FromNumber", Evaluate(messagingService).Keys);
    }

    [Fact]
    public void Trusted_proxies_default_to_the_loopback_the_functions_host_forwards_from()
    {
        // issue 31, defect 3: without these, every caller in Azure has the host's loopback address.
        var settings = Evaluate(new Dictionary<string, JsonNode?> { ["environmentName"] = "notify-test" });
        var full = Evaluate(FullParameters());

        Assert.Equal("127.0.0.1", settings["Notify__Security__TrustedProxies__0"]);
        Assert.Equal("::1", settings["Notify__Security__TrustedProxies__1"]);
        Assert.DoesNotContain("Notify__Security__TrustedProxies__2", settings.Keys);
        Assert.Equal(["127.0.0.1", "::1"], infra.Template["parameters"]!["trustedProxies"]!["defaultValue"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(4, (int)infra.Template["parameters"]!["trustedProxies"]!["maxLength"]!);
        Assert.Equal("[fd00::1]:80", full["Notify__Security__TrustedProxies__3"]);
        // Each entry is one the app accepts at start (Notify.Core's IpNetworks validation).
        Assert.All(
            full.Where(s => s.Key.StartsWith("Notify__Security__TrustedProxies__", StringComparison.Ordinal)),
            s => Assert.True(Notify.Core.Apps.ClientAddresses.TryNetwork(s.Value, out _), s.Value));
    }

    [Theory]
    [InlineData("infra/main.bicepparam")]
    [InlineData("infra/main.prod.bicepparam")]
    [InlineData("infra/main.private.bicepparam")]
    public void Trusted_proxies_reach_the_app_with_every_example_parameter_file(string file)
    {
        // The checked-in file as a pipeline passes it: every variable it reads set, the optional ones empty.
        var environment = new Dictionary<string, string>
        {
            ["NOTIFY_OPERATORS_GROUP_ID"] = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            ["NOTIFY_ALERT_EMAIL"] = "oncall@contoso.test",
            ["NOTIFY_SENDGRID_FROM_EMAIL"] = "notifications@contoso.test",
            ["NOTIFY_SENDGRID_API_KEY"] = "SG.test-not-a-key",
            ["NOTIFY_TRUSTED_PROXIES"] = "",
        };
        var (exitCode, output) = infra.RunBicep(environment, "build-params", file, "--stdout");
        Assert.True(exitCode == 0, output);
        var compiled = JsonNode.Parse((string)JsonNode.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..])!["parametersJson"]!)!["parameters"]!.AsObject();
        var parameters = compiled.ToDictionary(p => p.Key, p => p.Value!["value"]?.DeepClone());

        var settings = Evaluate(parameters);

        Assert.Equal("127.0.0.1", settings["Notify__Security__TrustedProxies__0"]);
        Assert.Equal("::1", settings["Notify__Security__TrustedProxies__1"]);
        Assert.DoesNotContain("Notify__Security__TrustedProxies__2", settings.Keys);
    }

    [Fact]
    public void Operator_settings_carry_their_values_and_the_contact_lookup_key_is_a_key_vault_reference()
    {
        var settings = Evaluate(FullParameters());

        Assert.Equal("45", settings["Notify__Console__SessionMinutes"]);
        Assert.Equal("3", settings["Notify__RateLimits__Apps__shop__Push"]);
        Assert.Equal("2", settings["Notify__RateLimits__Apps__shop__Email"]);
        Assert.Equal("1", settings["Notify__RateLimits__Apps__shop__Sms"]);
        Assert.Equal("0", settings["Notify__RateLimits__Apps__billing__Sms"]);
        Assert.DoesNotContain("Notify__RateLimits__Apps__billing__Push", settings.Keys);
        Assert.Equal("50", settings["Notify__Security__Quota__RequestsPerSecond"]);
        Assert.Equal("80", settings["Notify__Security__Quota__Burst"]);
        Assert.Equal("20", settings["Notify__Security__Quota__Apps__shop__RequestsPerSecond"]);
        Assert.Equal("40", settings["Notify__Security__Quota__Apps__shop__Burst"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/console-contact-lookup-key/)", settings["Notify__Console__ContactLookupKey"]);
        Assert.Equal("00:00:02", settings["Notify__Delivery__RetryBaseDelay"]);
        Assert.Equal("00:20:00", settings["Notify__Delivery__RetryMaxDelay"]);
        Assert.Equal("https://notify.example.com/api/v1/webhooks/vonage", settings["Notify__Providers__Vonage__StatusCallbackUrl"]);
        Assert.DoesNotContain("Notify__Console__ContactLookupKey", Evaluate(MinimalParameters()).Keys);
    }

    [Fact]
    public void Both_twilio_senders_fail_the_deployment_naming_both_parameters()
    {
        var both = MinimalParameters();
        both["twilioAccountSid"] = "AC00000000000000000000000000000000";
        both["twilioAuthToken"] = InfraFixture.FakeSecrets["twilioAuthToken"];
        both["twilioFromNumber"] = "+15005550006";
        both["twilioMessagingServiceSid"] = "MG00000000000000000000000000000000";

        var failure = Assert.Throws<ArmFailException>(() => Evaluate(both));

        Assert.Contains("twilioFromNumber and twilioMessagingServiceSid are both given", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sendGridFromEmail", "notifications@example.com", "sendGridApiKey")]
    [InlineData("sendGridApiKey", "SG.key", "sendGridFromEmail")]
    [InlineData("fcmProjectId", "only-the-project", "fcmServiceAccountJson")]
    [InlineData("apnsTopic", "com.example.app", "apnsKeyId")]
    [InlineData("twilioAuthToken", "token", "twilioAccountSid")]
    [InlineData("twilioAccountSid", "AC1", "twilioAuthToken")]
    [InlineData("smtpHost", "smtp.example.com", "smtpFromEmail")]
    [InlineData("vonageApiKey", "abcd1234", "vonageApiSecret")]
    [InlineData("vonageStatusCallbackUrl", "https://notify.example.com/api/v1/webhooks/vonage", "vonageApiKey")]
    [InlineData("twilioStatusCallbackUrl", "https://notify.example.com/api/v1/webhooks/twilio", "twilioAccountSid")]
    public void A_provider_given_in_part_fails_the_deployment_naming_the_missing_parameter(string given, string value, string missing)
    {
        var parameters = MinimalParameters();
        parameters[given] = value;

        var failure = Assert.Throws<ArmFailException>(() => Evaluate(parameters));

        Assert.StartsWith($"{missing} is missing: ", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_twilio_account_without_a_sender_fails_naming_both_senders()
    {
        var parameters = MinimalParameters();
        parameters["twilioAccountSid"] = "AC1";
        parameters["twilioAuthToken"] = "token";

        var failure = Assert.Throws<ArmFailException>(() => Evaluate(parameters));

        Assert.StartsWith("twilioFromNumber or twilioMessagingServiceSid is missing: ", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_settings_are_only_ever_key_vault_references()
    {
        var file = ReadFile();
        var secrets = file.Secrets.ToHashSet(StringComparer.Ordinal);
        var settings = Evaluate(FullParameters());

        // In the template: a secret's value is always the Key Vault reference function, and nothing else is.
        Assert.All(DeclaredSettings(), s =>
        {
            var isReference = s.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String
                && Arm.IsExpression(v.GetValue<string>())
                && Arm.Parse(v.GetValue<string>()) is Arm.Call { Name: "__bicep.keyVaultReference" };
            Assert.True(isReference == secrets.Contains(s.Name), $"{s.Name}: Key Vault reference = {isReference}");
        });
        // Evaluated: each points at the vault's current version of a secret.
        Assert.All(file.Secrets, name =>
            Assert.Matches(KeyVaultReference(), settings[name]));
        Assert.All(settings.Where(s => !secrets.Contains(s.Key)), s =>
            Assert.DoesNotContain("@Microsoft.KeyVault", s.Value, StringComparison.Ordinal));
        // The values given as secure parameters never reach an app setting.
        Assert.All(InfraFixture.FakeSecrets.Values, secret =>
            Assert.All(settings.Values, value => Assert.DoesNotContain(secret, value, StringComparison.Ordinal)));
    }

    [Fact]
    public void Settings_carry_the_given_values_and_identity_based_storage()
    {
        var settings = Evaluate(FullParameters());

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("managedidentity", settings["Storage__credential"]);
        Assert.Equal("<identityClientId>", settings["Storage__clientId"]);
        Assert.Equal("<identityClientId>", settings["AZURE_CLIENT_ID"]);
        Assert.Equal("ClientId=<identityClientId>;Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal("<storageTableEndpoint>", settings["Storage__tableServiceUri"]);
        Assert.Equal("30", settings["Notify__RateLimits__Default__Push"]);
        Assert.Equal("6", settings["Notify__Delivery__MaxAttempts"]);
        Assert.Equal("sandbox", settings["Notify__Providers__Apns__Environment"]);
        Assert.Equal("notify-test-project", settings["Notify__Providers__Fcm__ProjectId"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/sendgrid-api-key/)", settings["Notify__Providers__SendGrid__ApiKey"]);
        Assert.Equal("16", settings["Notify__Delivery__DeliveriesPerMessage"]);
        Assert.Equal("4", settings["Notify__Delivery__ParallelismPerMessage"]);
        Assert.Equal("https://notify.example.com/api/v1/webhooks/twilio", settings["Notify__Providers__Twilio__StatusCallbackUrl"]);
        Assert.Equal("https://notify.example.com/api", settings["Notify__Tracking__BaseUrl"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/tracking-signing-key/)", settings["Notify__Tracking__SigningKey"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/tracking-previous-signing-key/)", settings["Notify__Tracking__PreviousSigningKey"]);
        Assert.Equal("30.00:00:00", settings["Notify__Tracking__TokenLifetime"]);
        Assert.Equal("false", settings["Notify__Tracking__OpenPixel"]);
        Assert.Equal("true", settings["Notify__Tracking__ClickLinks"]);
        Assert.Equal("https://notify.example.com/api", settings["Notify__PreferenceLinks__BaseUrl"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/preference-links-signing-key/)", settings["Notify__PreferenceLinks__SigningKey"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/preference-links-previous-signing-key/)", settings["Notify__PreferenceLinks__PreviousSigningKey"]);
        Assert.Equal("45.00:00:00", settings["Notify__PreferenceLinks__TokenLifetime"]);
        Assert.Equal("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE-public-key", settings["Notify__Webhooks__SendGrid__PublicKey"]);
        Assert.Equal("00:05:00", settings["Notify__Webhooks__SendGrid__MaxAge"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/twilio-webhook-auth-token/)", settings["Notify__Webhooks__Twilio__AuthToken"]);
        Assert.Equal("https://notify.example.com/api/v1/webhooks/twilio", settings["Notify__Webhooks__Twilio__CallbackUrl"]);
        Assert.Equal("2.00:00:00", settings["Notify__Webhooks__Twilio__MaxAge"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/console-signing-key/)", settings["Notify__Console__SigningKey"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/console-entra-client-secret/)", settings["MICROSOFT_PROVIDER_AUTHENTICATION_SECRET"]);
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("FUNCTIONS_", StringComparison.Ordinal));
    }

    [Fact]
    public void Smtp_settings_carry_the_relay_and_its_password_is_a_key_vault_reference()
    {
        var settings = Evaluate(FullParameters());

        Assert.Equal("smtp.example.com", settings["Notify__Providers__Smtp__Host"]);
        Assert.Equal("465", settings["Notify__Providers__Smtp__Port"]);
        Assert.Equal("Tls", settings["Notify__Providers__Smtp__Security"]);
        Assert.Equal("notify", settings["Notify__Providers__Smtp__UserName"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/smtp-password/)", settings["Notify__Providers__Smtp__Password"]);
        Assert.Equal("notifications@example.com", settings["Notify__Providers__Smtp__FromEmail"]);
        Assert.Equal("Example", settings["Notify__Providers__Smtp__FromName"]);
    }

    [Fact]
    public void Smtp_needs_a_host_and_a_sender_and_its_user_name_and_password_come_together()
    {
        var hostOnly = MinimalParameters();
        hostOnly["smtpHost"] = "smtp.example.com";
        var relay = MinimalParameters();
        relay["smtpHost"] = "smtp.example.com";
        relay["smtpFromEmail"] = "notifications@example.com";
        var userWithoutPassword = new Dictionary<string, JsonNode?>(relay) { ["smtpUserName"] = "notify" };
        var passwordWithoutUser = new Dictionary<string, JsonNode?>(relay) { ["smtpPassword"] = InfraFixture.FakeSecrets["smtpPassword"] };

        static IEnumerable<string> Smtp(Dictionary<string, string> settings) =>
            settings.Keys.Where(k => k.StartsWith("Notify__Providers__Smtp__", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

        Assert.StartsWith("smtpFromEmail is missing: ", Assert.Throws<ArmFailException>(() => Evaluate(hostOnly)).Message, StringComparison.Ordinal);
        // A relay that trusts the network: no credentials, and the app's defaults for port and security.
        Assert.Equal(["Notify__Providers__Smtp__FromEmail", "Notify__Providers__Smtp__Host"], Smtp(Evaluate(relay)));
        // The app would refuse to start with one of the two; the template refuses to deploy and names both.
        Assert.All(new[] { userWithoutPassword, passwordWithoutUser }, parameters =>
            Assert.Contains(
                "smtpUserName and smtpPassword are given together or not at all",
                Assert.Throws<ArmFailException>(() => Evaluate(parameters)).Message,
                StringComparison.Ordinal));
    }

    [Fact]
    public void Vonage_needs_its_key_secret_and_sender_and_the_secret_is_a_key_vault_reference()
    {
        var withoutSender = MinimalParameters();
        withoutSender["vonageApiKey"] = "abcd1234";
        withoutSender["vonageApiSecret"] = InfraFixture.FakeSecrets["vonageApiSecret"];
        var settings = Evaluate(FullParameters());

        Assert.StartsWith("vonageFrom is missing: ", Assert.Throws<ArmFailException>(() => Evaluate(withoutSender)).Message, StringComparison.Ordinal);
        Assert.Equal("abcd1234", settings["Notify__Providers__Vonage__ApiKey"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/vonage-api-secret/)", settings["Notify__Providers__Vonage__ApiSecret"]);
        Assert.Equal("+15005550007", settings["Notify__Providers__Vonage__From"]);
    }

    [Fact]
    public void Provider_order_is_set_only_when_given_and_may_name_only_configured_providers()
    {
        var vonageFirst = MinimalParameters();
        vonageFirst["vonageApiKey"] = "abcd1234";
        vonageFirst["vonageApiSecret"] = InfraFixture.FakeSecrets["vonageApiSecret"];
        vonageFirst["vonageFrom"] = "+15005550007";
        vonageFirst["providerOrderSms"] = "vonage";
        var unconfiguredSecondary = new Dictionary<string, JsonNode?>(vonageFirst) { ["providerOrderSms"] = "vonage,twilio" };
        var unconfiguredSmtp = MinimalParameters();
        unconfiguredSmtp["sendGridApiKey"] = InfraFixture.FakeSecrets["sendGridApiKey"];
        unconfiguredSmtp["sendGridFromEmail"] = "notifications@example.com";
        unconfiguredSmtp["providerOrderEmail"] = "sendgrid,smtp";
        var full = Evaluate(FullParameters());

        Assert.Equal("smtp,sendgrid", full["Notify__Providers__Order__Email"]);
        Assert.Equal("twilio,vonage", full["Notify__Providers__Order__Sms"]);
        Assert.DoesNotContain(Evaluate(MinimalParameters()).Keys, k => k.StartsWith("Notify__Providers__Order__", StringComparison.Ordinal));
        Assert.Equal("vonage", Evaluate(vonageFirst)["Notify__Providers__Order__Sms"]);
        // The app would refuse to start naming the setting; the template refuses to deploy naming the parameter.
        Assert.Contains(
            "providerOrderSms names twilio, but Twilio is not configured",
            Assert.Throws<ArmFailException>(() => Evaluate(unconfiguredSecondary)).Message,
            StringComparison.Ordinal);
        Assert.Contains(
            "providerOrderEmail names smtp, but SMTP is not configured",
            Assert.Throws<ArmFailException>(() => Evaluate(unconfiguredSmtp)).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_entra_client_secret_setting_is_set_only_with_a_client_id_and_a_secret()
    {
        var clientIdOnly = MinimalParameters();
        clientIdOnly["consoleEntraClientId"] = InfraFixture.FullConsoleEntraClientId;
        var secretOnly = MinimalParameters();
        secretOnly["consoleEntraClientSecret"] = InfraFixture.FakeSecrets["consoleEntraClientSecret"];

        Assert.DoesNotContain("MICROSOFT_PROVIDER_AUTHENTICATION_SECRET", Evaluate(clientIdOnly).Keys);
        Assert.DoesNotContain("MICROSOFT_PROVIDER_AUTHENTICATION_SECRET", Evaluate(secretOnly).Keys);
        Assert.Contains("MICROSOFT_PROVIDER_AUTHENTICATION_SECRET", Evaluate(FullParameters()).Keys);
    }

    [Fact]
    public void Notify_sign_in_mode_sets_the_OpenID_Connect_settings_from_the_same_app_registration()
    {
        var platformMode = FullParameters();
        platformMode["consoleSignInMode"] = "platform";

        var settings = Evaluate(FullParameters());
        var platform = Evaluate(platformMode);

        Assert.Equal($"https://login.microsoftonline.com/{InfraFixture.FullConsoleEntraTenantId}/v2.0", settings["Notify__Console__Oidc__Authority"]);
        Assert.Equal(InfraFixture.FullConsoleEntraClientId, settings["Notify__Console__Oidc__ClientId"]);
        Assert.Equal($"@Microsoft.KeyVault(SecretUri={TestVaultUri}secrets/console-entra-client-secret/)", settings["Notify__Console__Oidc__ClientSecret"]);
        Assert.Equal("groups", settings["Notify__Console__Oidc__RolesClaim"]);
        Assert.Equal("ops", settings["Notify__Console__Oidc__OwnerApp"]);
        Assert.Equal("True", settings["Notify__Console__Oidc__AppKeySignIn"], ignoreCase: true);
        Assert.DoesNotContain(platform.Keys, k => k.StartsWith("Notify__Console__Oidc__", StringComparison.Ordinal));
    }

    [Fact]
    public void A_provider_is_configured_when_all_its_required_values_are_given_and_others_stay_off()
    {
        var apnsOnly = MinimalParameters();
        apnsOnly["apnsKeyId"] = "KEY";
        apnsOnly["apnsTeamId"] = "TEAM";
        apnsOnly["apnsPrivateKey"] = "PEM";
        apnsOnly["apnsTopic"] = "com.example.app";

        var names = Evaluate(apnsOnly).Keys.Where(k => k.StartsWith("Notify__Providers__", StringComparison.Ordinal));

        Assert.Equal(
            ["Notify__Providers__Apns__Environment", "Notify__Providers__Apns__KeyId", "Notify__Providers__Apns__PrivateKey", "Notify__Providers__Apns__TeamId", "Notify__Providers__Apns__Topic"],
            names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Tracking_is_set_only_with_a_base_url_and_then_always_with_its_signing_key()
    {
        // Everything but the base URL: tracking stays off, so none of its settings (or secrets) are set.
        var withoutBaseUrl = MinimalParameters();
        withoutBaseUrl["trackingSigningKey"] = InfraFixture.FakeSecrets["trackingSigningKey"];
        withoutBaseUrl["trackingPreviousSigningKey"] = InfraFixture.FakeSecrets["trackingPreviousSigningKey"];
        withoutBaseUrl["trackingTokenLifetime"] = "30.00:00:00";
        withoutBaseUrl["trackingOpenPixel"] = false;
        var onlyRequired = MinimalParameters();
        onlyRequired["trackingBaseUrl"] = "https://notify.example.com/api";
        onlyRequired["trackingSigningKey"] = InfraFixture.FakeSecrets["trackingSigningKey"];
        var withoutSigningKey = MinimalParameters();
        withoutSigningKey["trackingBaseUrl"] = "https://notify.example.com/api";

        Assert.DoesNotContain(Evaluate(withoutBaseUrl).Keys, k => k.StartsWith("Notify__Tracking__", StringComparison.Ordinal));
        Assert.Equal(
            ["Notify__Tracking__BaseUrl", "Notify__Tracking__SigningKey"],
            Evaluate(onlyRequired).Keys.Where(k => k.StartsWith("Notify__Tracking__", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        // The app would refuse to start; the template refuses to deploy and names the parameter.
        var failure = Assert.Throws<ArmFailException>(() => Evaluate(withoutSigningKey));
        Assert.Contains("trackingSigningKey is required when trackingBaseUrl is set", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Preference_links_are_set_only_with_a_base_url_and_then_always_with_their_signing_key()
    {
        var withoutBaseUrl = MinimalParameters();
        withoutBaseUrl["preferenceLinksSigningKey"] = InfraFixture.FakeSecrets["preferenceLinksSigningKey"];
        withoutBaseUrl["preferenceLinksTokenLifetime"] = "45.00:00:00";
        var onlyRequired = MinimalParameters();
        onlyRequired["preferenceLinksBaseUrl"] = "https://notify.example.com/api";
        onlyRequired["preferenceLinksSigningKey"] = InfraFixture.FakeSecrets["preferenceLinksSigningKey"];
        var withoutSigningKey = MinimalParameters();
        withoutSigningKey["preferenceLinksBaseUrl"] = "https://notify.example.com/api";

        Assert.DoesNotContain(Evaluate(withoutBaseUrl).Keys, k => k.StartsWith("Notify__PreferenceLinks__", StringComparison.Ordinal));
        Assert.Equal(
            ["Notify__PreferenceLinks__BaseUrl", "Notify__PreferenceLinks__SigningKey"],
            Evaluate(onlyRequired).Keys.Where(k => k.StartsWith("Notify__PreferenceLinks__", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var failure = Assert.Throws<ArmFailException>(() => Evaluate(withoutSigningKey));
        Assert.Contains("preferenceLinksSigningKey is required when preferenceLinksBaseUrl is set", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Webhook_and_delivery_batch_settings_are_set_each_on_its_own_without_a_provider()
    {
        var parameters = MinimalParameters();
        parameters["sendGridWebhookPublicKey"] = "MFkw-public-key";
        parameters["twilioWebhookMaxAge"] = "1.00:00:00";
        parameters["deliveryParallelismPerMessage"] = 2;

        var optional = Evaluate(parameters).Keys.Intersect(ReadFile().Optional, StringComparer.Ordinal);

        Assert.Equal(
            ["Notify__Delivery__ParallelismPerMessage", "Notify__Webhooks__SendGrid__PublicKey", "Notify__Webhooks__Twilio__MaxAge"],
            optional.Order(StringComparer.Ordinal));
    }

    private static string FilePath => Path.Combine(FindRoot(), "infra", "app-settings.json");

    private static SettingsFile ReadFile()
    {
        var json = JsonNode.Parse(File.ReadAllText(FilePath))!;
        List<string> List(string key) => [.. json[key]!.AsArray().Select(n => (string)n!)];
        return new SettingsFile(List("required"), List("optional"), List("secrets"));
    }

    /// <summary>
    /// No optional setting: the trusted proxies, the one optional setting whose default is not empty (the loopback),
    /// are emptied here; Trusted_proxies_default_to_the_loopback checks the default.
    /// </summary>
    private static Dictionary<string, JsonNode?> MinimalParameters() => new() { ["environmentName"] = "notify-test", ["trustedProxies"] = new JsonArray() };

    /// <summary>The optional settings the full set cannot write together: Twilio sends from one sender, the full set's number.</summary>
    private static readonly string[] ExclusiveOfFull = ["Notify__Providers__Twilio__MessagingServiceSid"];

    private static Dictionary<string, JsonNode?> FullParameters() => new()
    {
        ["environmentName"] = "notify-test",
        ["rateLimitDefaultPush"] = 30,
        ["rateLimitDefaultEmail"] = 12,
        ["rateLimitDefaultSms"] = 4,
        ["deliveryMaxAttempts"] = 6,
        ["deliveryDeliveriesPerMessage"] = 16,
        ["deliveryParallelismPerMessage"] = 4,
        ["rateLimitApps"] = new JsonObject { ["shop"] = new JsonObject { ["push"] = 3, ["email"] = 2, ["sms"] = 1 }, ["billing"] = new JsonObject { ["sms"] = 0 } },
        ["quotaRequestsPerSecond"] = 50,
        ["quotaBurst"] = 80,
        ["quotaApps"] = new JsonObject { ["shop"] = new JsonObject { ["requestsPerSecond"] = 20, ["burst"] = 40 } },
        ["deliveryRetryBaseDelay"] = "00:00:02",
        ["deliveryRetryMaxDelay"] = "00:20:00",
        ["trustedProxies"] = new JsonArray("127.0.0.1", "::1", "10.0.0.0/8", "[fd00::1]:80"),
        ["consoleSessionMinutes"] = 45,
        ["consoleContactLookupKey"] = InfraFixture.FakeSecrets["consoleContactLookupKey"],
        ["vonageStatusCallbackUrl"] = "https://notify.example.com/api/v1/webhooks/vonage",
        ["fcmProjectId"] = "notify-test-project",
        ["fcmServiceAccountJson"] = InfraFixture.FakeSecrets["fcmServiceAccountJson"],
        ["apnsKeyId"] = "ABC123DEFG",
        ["apnsTeamId"] = "TEAM123456",
        ["apnsPrivateKey"] = InfraFixture.FakeSecrets["apnsPrivateKey"],
        ["apnsTopic"] = "com.example.app",
        ["apnsEnvironment"] = "sandbox",
        ["sendGridApiKey"] = InfraFixture.FakeSecrets["sendGridApiKey"],
        ["sendGridFromEmail"] = "notifications@example.com",
        ["sendGridFromName"] = "Example",
        ["twilioAccountSid"] = "AC00000000000000000000000000000000",
        ["twilioAuthToken"] = InfraFixture.FakeSecrets["twilioAuthToken"],
        ["twilioFromNumber"] = "+15005550006",
        ["twilioStatusCallbackUrl"] = "https://notify.example.com/api/v1/webhooks/twilio",
        ["notifyAlertWebhookUrl"] = InfraFixture.FakeSecrets["notifyAlertWebhookUrl"],
        ["alertWebhookServiceUri"] = InfraFixture.FakeSecrets["alertWebhookServiceUri"],
        ["trackingBaseUrl"] = "https://notify.example.com/api",
        ["trackingSigningKey"] = InfraFixture.FakeSecrets["trackingSigningKey"],
        ["trackingPreviousSigningKey"] = InfraFixture.FakeSecrets["trackingPreviousSigningKey"],
        ["trackingTokenLifetime"] = "30.00:00:00",
        ["trackingOpenPixel"] = false,
        ["trackingClickLinks"] = true,
        ["preferenceLinksBaseUrl"] = "https://notify.example.com/api",
        ["preferenceLinksSigningKey"] = InfraFixture.FakeSecrets["preferenceLinksSigningKey"],
        ["preferenceLinksPreviousSigningKey"] = InfraFixture.FakeSecrets["preferenceLinksPreviousSigningKey"],
        ["preferenceLinksTokenLifetime"] = "45.00:00:00",
        ["sendGridWebhookPublicKey"] = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE-public-key",
        ["sendGridWebhookMaxAge"] = "00:05:00",
        ["twilioWebhookAuthToken"] = InfraFixture.FakeSecrets["twilioWebhookAuthToken"],
        ["twilioWebhookCallbackUrl"] = "https://notify.example.com/api/v1/webhooks/twilio",
        ["twilioWebhookMaxAge"] = "2.00:00:00",
        ["smtpHost"] = "smtp.example.com",
        ["smtpPort"] = 465,
        ["smtpSecurity"] = "Tls",
        ["smtpUserName"] = "notify",
        ["smtpPassword"] = InfraFixture.FakeSecrets["smtpPassword"],
        ["smtpFromEmail"] = "notifications@example.com",
        ["smtpFromName"] = "Example",
        ["vonageApiKey"] = "abcd1234",
        ["vonageApiSecret"] = InfraFixture.FakeSecrets["vonageApiSecret"],
        ["vonageFrom"] = "+15005550007",
        ["providerOrderEmail"] = "smtp,sendgrid",
        ["providerOrderSms"] = "twilio,vonage",
        ["consoleSigningKey"] = InfraFixture.FakeSecrets["consoleSigningKey"],
        ["consoleEntraClientId"] = InfraFixture.FullConsoleEntraClientId,
        ["consoleEntraTenantId"] = InfraFixture.FullConsoleEntraTenantId,
        ["consoleEntraClientSecret"] = InfraFixture.FakeSecrets["consoleEntraClientSecret"],
        ["consoleEntraAllowedGroupIds"] = new JsonArray(InfraFixture.FullConsoleEntraGroupId),
        // Notify's own sign-in, so its settings are among those set (App Service Authentication is not an app setting).
        ["consoleSignInMode"] = "notify",
        ["consoleOidcRolesClaim"] = "groups",
        ["consoleOidcOwnerApp"] = "ops",
        ["consoleAppKeySignIn"] = true,
    };

    /// <summary>The module deployment in main.json whose template holds the function app.</summary>
    private JsonObject FunctionAppModule() =>
        Assert.Single(
            infra.Template["resources"]!.AsObject().Select(p => p.Value!.AsObject()),
            r => r["properties"]?["template"]?["resources"] is JsonNode resources && SiteOrNull(resources) is not null);

    private JsonObject FunctionAppTemplate() => FunctionAppModule()["properties"]!["template"]!.AsObject();

    /// <summary>Every { name, value } the function app module declares in its variables, wherever it is used.</summary>
    private List<DeclaredSetting> DeclaredSettings()
    {
        var found = new List<DeclaredSetting>();
        void Walk(string variable, JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj when obj.Count == 2 && obj["name"] is JsonValue name && obj.ContainsKey("value"):
                    found.Add(new DeclaredSetting(variable, (string)name!, obj["value"]));
                    break;
                case JsonObject obj:
                    foreach (var (_, child) in obj)
                    {
                        Walk(variable, child);
                    }
                    break;
                case JsonArray array:
                    foreach (var child in array)
                    {
                        Walk(variable, child);
                    }
                    break;
            }
        }
        foreach (var (name, value) in FunctionAppTemplate()["variables"]!.AsObject())
        {
            Walk(name, value);
            // Names built from an app key: format('Notify__RateLimits__Apps__{0}__Push', ...) declares ..._{key}_...
            foreach (Match format in FormattedSettingName().Matches(value!.ToJsonString(RelaxedJson)))
            {
                found.Add(new DeclaredSetting("(format)", format.Groups[1].Value.Replace("{0}", "{key}", StringComparison.Ordinal), null));
            }
        }
        return found;
    }

    /// <summary>
    /// The app settings the function app gets for main.bicep parameters: main's expressions evaluated for the
    /// module's notify settings, the module's app settings evaluated with them. Values that exist only at deployment
    /// (identity client id, endpoints) come out as "&lt;parameterName&gt;".
    /// </summary>
    private Dictionary<string, string> Evaluate(Dictionary<string, JsonNode?> mainParameters)
    {
        var module = FunctionAppModule();
        var mainScope = new ArmScope(infra.Template, mainParameters);
        var moduleParameters = new Dictionary<string, JsonNode?>();
        foreach (var (name, parameter) in module["properties"]!["parameters"]!.AsObject())
        {
            try
            {
                moduleParameters[name] = Arm.EvaluateValue(parameter!["value"], mainScope);
            }
            catch (NotSupportedException)
            {
                moduleParameters[name] = $"<{name}>";
            }
        }
        moduleParameters["keyVaultUri"] = TestVaultUri;
        var template = FunctionAppTemplate();
        var settings = Arm.EvaluateValue(SiteOf(template)["properties"]!["siteConfig"]!["appSettings"], new ArmScope(template, moduleParameters))!.AsArray();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in settings)
        {
            // A name set twice would silently keep only the last value in Azure.
            Assert.True(result.TryAdd((string)setting!["name"]!, (string)setting["value"]!), $"{setting["name"]} is set twice");
        }
        return result;
    }

    private static JsonObject SiteOf(JsonObject template) => SiteOrNull(template["resources"]!)
        ?? throw new InvalidOperationException("No Microsoft.Web/sites in the module.");

    private static JsonObject? SiteOrNull(JsonNode resources) =>
        (resources is JsonObject byName ? byName.Select(p => p.Value) : resources.AsArray().AsEnumerable())
            .Select(r => r!.AsObject())
            .FirstOrDefault(r => (string?)r["type"] == "Microsoft.Web/sites");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NotifyFunctions.sln")) || Directory.Exists(Path.Combine(dir.FullName, ".git")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Repository root not found.");
    }

    /// <summary>A per-app setting with its app key as "{key}": Notify__RateLimits__Apps__{key}__Push.</summary>
    private static string AppKeyPattern(string setting) => AppKeySegment().Replace(setting, "__Apps__{key}__");

    [GeneratedRegex(@"__Apps__.+?__(?=[A-Za-z]+$)")]
    private static partial Regex AppKeySegment();

    [GeneratedRegex(@"format\('((?:Notify|Storage)__[A-Za-z_]*\{0\}[A-Za-z_]*)'")]
    private static partial Regex FormattedSettingName();

    [GeneratedRegex(@"^@Microsoft\.KeyVault\(SecretUri=https://kv-test\.vault\.azure\.net/secrets/[a-z0-9-]+/\)$")]
    private static partial Regex KeyVaultReference();

    private sealed record SettingsFile(List<string> Required, List<string> Optional, List<string> Secrets);

    private sealed record DeclaredSetting(string Variable, string Name, JsonNode? Value);
}
