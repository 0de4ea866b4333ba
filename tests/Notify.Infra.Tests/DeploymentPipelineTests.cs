namespace Notify.Infra.Tests;

/// <summary>
/// What a pipeline needs: operator roles for any kind of principal, production parameters that read what they
/// cannot guess and stop when it is missing, and a workflow that runs the commands these tests run.
/// </summary>
public sealed partial class DeploymentPipelineTests(InfraFixture infra)
{
    private const string OperatorsGroup = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private const string Deployer = "99999999-8888-7777-6666-555555555555";

    private static readonly Dictionary<string, string> ProductionEnvironment = new()
    {
        ["NOTIFY_OPERATORS_GROUP_ID"] = OperatorsGroup,
        ["NOTIFY_ALERT_EMAIL"] = "oncall@contoso.test",
        ["NOTIFY_SENDGRID_FROM_EMAIL"] = "notifications@contoso.test",
        ["NOTIFY_SENDGRID_API_KEY"] = "SG.test-not-a-key",
        ["AZURE_PRINCIPAL_ID"] = Deployer,
    };

    [Theory]
    [InlineData("", null)]
    [InlineData("ServicePrincipal", "ServicePrincipal")]
    [InlineData("User", "User")]
    public void Operator_role_assignments_take_the_principal_type_given_or_leave_it_to_azure(string given, string? expected)
    {
        var scope = new ArmScope(infra.Template, new Dictionary<string, JsonNode?>
        {
            ["environmentName"] = "notify-ci",
            ["principalId"] = Deployer,
            ["principalType"] = given,
        });

        var assignments = scope.Variable("operatorRoleAssignments")!.AsArray();

        Assert.Equal(2, assignments.Count);
        Assert.All(assignments, a => Assert.Equal(expected, (string?)a!["principalType"]));
    }

    [Fact]
    public void Development_parameters_read_the_principal_type_from_azd_so_a_pipeline_service_principal_works()
    {
        var (exitCode, output) = infra.RunBicep(
            new Dictionary<string, string> { ["AZURE_PRINCIPAL_ID"] = Deployer, ["AZURE_PRINCIPAL_TYPE"] = "ServicePrincipal" },
            "build-params", "infra/main.bicepparam", "--stdout");

        Assert.True(exitCode == 0, output);
        var parameters = CompiledParameters(output);
        Assert.Equal(Deployer, (string?)parameters["principalId"]!["value"]);
        Assert.Equal("ServicePrincipal", (string?)parameters["principalType"]!["value"]);
    }

    [Theory]
    [InlineData("infra/main.prod.bicepparam", new[] { "NOTIFY_OPERATORS_GROUP_ID", "NOTIFY_ALERT_EMAIL", "NOTIFY_SENDGRID_FROM_EMAIL", "NOTIFY_SENDGRID_API_KEY" })]
    [InlineData("infra/main.private.bicepparam", new[] { "NOTIFY_OPERATORS_GROUP_ID", "NOTIFY_ALERT_EMAIL" })]
    public void Production_parameters_stop_naming_each_required_variable_that_is_unset(string file, string[] required)
    {
        var (exitCode, output) = infra.RunBicep(new Dictionary<string, string>(), "build-params", file, "--stdout");

        Assert.NotEqual(0, exitCode);
        Assert.All(required, name => Assert.Contains($"Environment variable \"{name}\" does not exist", output, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("infra/main.prod.bicepparam")]
    [InlineData("infra/main.private.bicepparam")]
    public void Production_operators_are_their_own_group_not_the_deployer_and_may_rotate_secrets(string file)
    {
        var (exitCode, output) = infra.RunBicep(ProductionEnvironment, "build-params", file, "--stdout");

        Assert.True(exitCode == 0, output);
        var parameters = CompiledParameters(output);
        Assert.Equal(OperatorsGroup, (string?)parameters["principalId"]!["value"]);
        Assert.Equal("Group", (string?)parameters["principalType"]!["value"]);
        Assert.True((bool)parameters["operatorKeyVaultSecretsOfficer"]!["value"]!);
        Assert.Equal(["oncall@contoso.test"], parameters["alertEmailAddresses"]!["value"]!.AsArray().Select(a => (string)a!));
    }

    [Theory]
    [InlineData("infra/main.prod.bicepparam")]
    [InlineData("infra/main.private.bicepparam")]
    public void Production_parameters_hold_no_example_com_placeholder(string file)
    {
        var values = File.ReadAllLines(Path.Combine(infra.RepoRoot, file))
            .Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal));

        Assert.All(values, line => Assert.DoesNotContain("example.com", line, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Location_is_limited_to_regions_that_offer_flex_consumption()
    {
        var allowed = infra.Template["parameters"]!["location"]!["allowedValues"]!.AsArray().Select(v => (string)v!).ToList();

        Assert.Contains("swedencentral", allowed);
        Assert.Contains("eastus", allowed);
        Assert.Contains("westeurope", allowed);
        Assert.DoesNotContain("westindia", allowed);

        var folder = Directory.CreateTempSubdirectory("notify-infra-location-");
        try
        {
            // A .bicepparam names its template by a relative path: compile it beside a copy of infra/.
            var copy = Path.Combine(folder.FullName, "infra");
            CopyDirectory(Path.Combine(infra.RepoRoot, "infra"), copy);
            var parameters = Path.Combine(copy, "elsewhere.bicepparam");
            File.WriteAllText(parameters, "using 'main.bicep'\nparam environmentName = 'notify-x'\nparam location = 'westindia'\n");

            var (exitCode, output) = infra.RunBicep(new Dictionary<string, string>(), "build-params", parameters, "--stdout");

            Assert.NotEqual(0, exitCode);
            Assert.Contains("westindia", output, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Deploy_workflow_signs_in_with_oidc_and_never_with_a_stored_secret()
    {
        var workflow = Workflow();

        Assert.Contains("id-token: write", workflow, StringComparison.Ordinal);
        Assert.Contains("uses: azure/login@v2", workflow, StringComparison.Ordinal);
        Assert.Contains("client-id: ${{ vars.AZURE_CLIENT_ID }}", workflow, StringComparison.Ordinal);
        Assert.DoesNotContain("client-secret", workflow, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("creds:", workflow, StringComparison.Ordinal);
        Assert.DoesNotContain("AZURE_CREDENTIALS", workflow, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_workflow_lints_builds_runs_what_if_and_deploys_with_the_commands_the_tests_run()
    {
        var workflow = Workflow();

        // The same script and subcommand the infra tests call (InfraFixture, Templates_build_and_lint...).
        Assert.Contains("bash scripts/bicep.sh check", workflow, StringComparison.Ordinal);
        Assert.Contains("dotnet build tests/Notify.Infra.Tests -c Release", workflow, StringComparison.Ordinal);
        Assert.Contains("dotnet publish src/Notify.Functions -c Release", workflow, StringComparison.Ordinal);
        var whatIf = Assert.Single(AzDeployment().Matches(workflow), m => m.Groups[1].Value == "what-if");
        var create = Assert.Single(AzDeployment().Matches(workflow), m => m.Groups[1].Value == "create");
        // What-if previews exactly what create deploys: the same resource group, template and parameters.
        Assert.Equal(Arguments(whatIf.Groups[2].Value), Arguments(create.Groups[2].Value));
        Assert.Contains("-f infra/main.bicep", create.Groups[2].Value, StringComparison.Ordinal);
        Assert.True(
            workflow.IndexOf("bicep.sh check", StringComparison.Ordinal) < whatIf.Index && whatIf.Index < create.Index,
            "lint, then what-if, then deploy");
        // Every script the workflow calls exists.
        Assert.All(ScriptCall().Matches(workflow), m => Assert.True(File.Exists(Path.Combine(infra.RepoRoot, m.Groups[1].Value)), m.Value));
    }

    private static string[] Arguments(string command) =>
        [.. DeploymentArgument().Matches(command).Select(m => m.Value)];

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private string Workflow() => File.ReadAllText(Path.Combine(infra.RepoRoot, ".github", "workflows", "deploy.yml"));

    /// <summary>build-params --stdout wraps the parameters file in {"parametersJson": "..."}.</summary>
    private static JsonObject CompiledParameters(string output)
    {
        var wrapper = JsonNode.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..])!;
        return JsonNode.Parse((string)wrapper["parametersJson"]!)!["parameters"]!.AsObject();
    }

    [GeneratedRegex(@"az deployment group (what-if|create)\b([^\n]*(?:\\\n[^\n]*)*)")]
    private static partial Regex AzDeployment();

    [GeneratedRegex(@"-[gfp] (?:""[^""]*""|\S+)")]
    private static partial Regex DeploymentArgument();

    [GeneratedRegex(@"bash (scripts/[\w./-]+\.sh)")]
    private static partial Regex ScriptCall();
}
