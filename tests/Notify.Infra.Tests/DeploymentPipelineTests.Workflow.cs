using System.Diagnostics;

namespace Notify.Infra.Tests;

/// <summary>
/// issue 32: the workflow passes every variable the parameter files read, deploys the file the GitHub environment
/// names, previews outside the protected environment, publishes to the app the deployment made, and checks its
/// inputs (required variables, the Microsoft.App provider, the runner of a private environment) before deploying.
/// scripts/deploy-env.sh does the checking; it runs here for real, with a stand-in `az` on PATH.
/// </summary>
public sealed partial class DeploymentPipelineTests
{
    private static readonly string[] DeployedParameterFiles = ["infra/main.prod.bicepparam", "infra/main.private.bicepparam"];

    [Theory]
    [InlineData("what-if")]
    [InlineData("deploy")]
    public void Workflow_passes_every_variable_the_parameter_files_read_and_secrets_only_from_secrets(string job)
    {
        var env = JobEnv(job);
        var secure = SecureVariables();

        Assert.Contains("NOTIFY_SENDGRID_API_KEY", secure);
        Assert.Contains("NOTIFY_CONSOLE_CONTACT_LOOKUP_KEY", secure);
        Assert.All(DeployedParameterFiles.SelectMany(ReadVariables).Select(v => v.Name).Distinct(), name =>
        {
            Assert.True(env.TryGetValue(name, out var source), $"{job} does not pass {name}, which the parameter files read");
            Assert.Equal(secure.Contains(name) ? $"${{{{ secrets.{name} }}}}" : $"${{{{ vars.{name} }}}}", source);
        });
        Assert.Equal("${{ vars.NOTIFY_PARAMETERS_FILE }}", env["NOTIFY_PARAMETERS_FILE"]);
        Assert.Equal("${{ vars.AZURE_RESOURCE_GROUP }}", env["AZURE_RESOURCE_GROUP"]);
    }

    [Fact]
    public void The_private_example_reads_every_variable_the_production_example_reads()
    {
        Assert.Equal(
            ReadVariables("infra/main.prod.bicepparam").Select(v => v.Name),
            ReadVariables("infra/main.private.bicepparam").Select(v => v.Name));
    }

    [Fact]
    public void Workflow_deploys_the_parameter_file_the_environment_names_and_never_picks_one_itself()
    {
        var workflow = Workflow();
        var whatIf = Assert.Single(AzDeployment().Matches(workflow), m => m.Groups[1].Value == "what-if");
        var create = Assert.Single(AzDeployment().Matches(workflow), m => m.Groups[1].Value == "create");

        Assert.Contains("-p \"infra/$NOTIFY_PARAMETERS_FILE\"", whatIf.Value, StringComparison.Ordinal);
        Assert.Contains("-p \"infra/$NOTIFY_PARAMETERS_FILE\"", create.Value, StringComparison.Ordinal);
        // No parameter file named outside comments: a push cannot fall back to the public one.
        var code = string.Join('\n', workflow.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
        Assert.DoesNotContain(".bicepparam", code, StringComparison.Ordinal);
        Assert.DoesNotContain("inputs.parameters", code, StringComparison.Ordinal);
    }

    [Fact]
    public void What_if_runs_outside_the_protected_environment_and_the_deploy_inside_it()
    {
        Assert.Equal("${{ inputs.environment || 'production' }}-preview", JobValue("what-if", "environment"));
        Assert.Equal("${{ inputs.environment || 'production' }}", JobValue("deploy", "environment"));
        Assert.Equal("what-if", JobValue("deploy", "needs"));
    }

    [Fact]
    public void Deploy_publishes_to_the_function_app_the_deployment_output_names()
    {
        var deploy = Job("deploy");

        Assert.DoesNotContain("az functionapp list", Workflow(), StringComparison.Ordinal);
        Assert.Contains("--query properties.outputs.AZURE_FUNCTION_APP_NAME.value -o tsv", deploy, StringComparison.Ordinal);
        Assert.Matches(@"config-zip [^\n]*-n ""\$\{\{ steps\.infra\.outputs\.app \}\}""", deploy);
        Assert.Contains("id: infra", deploy, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("what-if", "az deployment group what-if", new[] { "deploy-env.sh check", "deploy-env.sh provider" })]
    [InlineData("deploy", "az deployment group create", new[] { "deploy-env.sh check", "deploy-env.sh runner", "deploy-env.sh provider" })]
    public void Each_job_checks_its_inputs_before_it_touches_the_deployment(string job, string command, string[] checks)
    {
        var text = Job(job);
        var at = text.IndexOf(command, StringComparison.Ordinal);

        Assert.True(at > 0, command);
        Assert.All(checks, check =>
        {
            var checkAt = text.IndexOf($"bash scripts/{check} \"infra/$NOTIFY_PARAMETERS_FILE\"", StringComparison.Ordinal);
            Assert.True(checkAt > 0 && checkAt < at, $"{job}: {check} before {command}");
        });
    }

    [Theory]
    [InlineData("infra/main.prod.bicepparam", new[] { "NOTIFY_OPERATORS_GROUP_ID", "NOTIFY_ALERT_EMAIL", "NOTIFY_SENDGRID_FROM_EMAIL", "NOTIFY_SENDGRID_API_KEY" })]
    [InlineData("infra/main.private.bicepparam", new[] { "NOTIFY_OPERATORS_GROUP_ID", "NOTIFY_ALERT_EMAIL" })]
    public void The_check_fails_naming_each_required_variable_that_is_unset_or_empty(string file, string[] required)
    {
        // GitHub passes an unset variable as an empty string, which Bicep would deploy as a value.
        var empty = required.ToDictionary(n => n, _ => "");
        empty["AZURE_RESOURCE_GROUP"] = "rg-notify";
        var set = required.ToDictionary(n => n, _ => "x");
        set["AZURE_RESOURCE_GROUP"] = "rg-notify";

        var (failed, output) = RunDeployEnv(empty, "check", file);
        var (passed, passedOutput) = RunDeployEnv(set, "check", file);

        Assert.Equal(1, failed);
        Assert.All(required, name => Assert.Contains($"{name} is not set", output, StringComparison.Ordinal));
        Assert.Equal(0, passed);
        Assert.Contains("every variable", passedOutput, StringComparison.Ordinal);
        Assert.Equal(required.Order(StringComparer.Ordinal), ReadVariables(file).Where(v => v.Required).Select(v => v.Name));
    }

    [Fact]
    public void The_check_names_a_missing_resource_group()
    {
        var (exitCode, output) = RunDeployEnv(new Dictionary<string, string>
        {
            ["NOTIFY_OPERATORS_GROUP_ID"] = "x", ["NOTIFY_ALERT_EMAIL"] = "x",
        }, "check", "infra/main.private.bicepparam");

        Assert.Equal(1, exitCode);
        Assert.Contains("AZURE_RESOURCE_GROUP is not set", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NotRegistered", 1)]
    [InlineData("Registering", 1)]
    [InlineData("Registered", 0)]
    public void A_private_environment_needs_the_microsoft_app_provider_registered(string state, int expected)
    {
        var (exitCode, output) = RunDeployEnv(new Dictionary<string, string>(), "provider", "infra/main.private.bicepparam", fakeAz: $"echo {state}");

        Assert.Equal(expected, exitCode);
        if (expected != 0)
        {
            Assert.Contains("az provider register --namespace Microsoft.App", output, StringComparison.Ordinal);
            Assert.Contains($"'{state}'", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_public_environment_does_not_ask_azure_about_microsoft_app()
    {
        var (exitCode, output) = RunDeployEnv(new Dictionary<string, string>(), "provider", "infra/main.prod.bicepparam", fakeAz: "echo called >&2; exit 3");

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("called", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("infra/main.private.bicepparam", "github-hosted", 1)]
    [InlineData("infra/main.private.bicepparam", "self-hosted", 0)]
    [InlineData("infra/main.prod.bicepparam", "github-hosted", 0)]
    public void A_private_environment_publishes_only_from_a_self_hosted_runner(string file, string runner, int expected)
    {
        var (exitCode, output) = RunDeployEnv(new Dictionary<string, string> { ["RUNNER_ENVIRONMENT"] = runner }, "runner", file);

        Assert.Equal(expected, exitCode);
        if (expected != 0)
        {
            Assert.Contains("NOTIFY_RUNNER", output, StringComparison.Ordinal);
        }
    }

    private string Job(string name)
    {
        var workflow = Workflow();
        var start = workflow.IndexOf($"\n  {name}:\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no job {name}");
        var next = JobHeader().Match(workflow, start + 1 + name.Length + 4);
        return next.Success ? workflow[start..next.Index] : workflow[start..];
    }

    private string JobValue(string job, string key) =>
        Regex.Match(Job(job), $@"\n    {Regex.Escape(key)}: ([^\n]+)").Groups[1].Value.Trim();

    private Dictionary<string, string> JobEnv(string job)
    {
        var text = Job(job);
        var env = text[text.IndexOf("\n    env:\n", StringComparison.Ordinal)..text.IndexOf("\n    steps:\n", StringComparison.Ordinal)];
        return EnvLine().Matches(env).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim(), StringComparer.Ordinal);
    }

    /// <summary>The variables a parameter file reads, as scripts/deploy-env.sh lists them.</summary>
    private List<(string Name, bool Required)> ReadVariables(string file)
    {
        var (exitCode, output) = RunDeployEnv(new Dictionary<string, string>(), "variables", file);
        Assert.Equal(0, exitCode);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).Select(p => (p[0], p[1] == "required"))];
    }

    /// <summary>Variables that feed a @secure() parameter in either deployed parameter file.</summary>
    private HashSet<string> SecureVariables()
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in DeployedParameterFiles)
        {
            var text = File.ReadAllText(Path.Combine(infra.RepoRoot, file));
            foreach (Match param in ParamBlock().Matches(text))
            {
                var type = (string?)infra.Template["parameters"]![param.Groups[1].Value]!["type"];
                if (string.Equals(type, "securestring", StringComparison.OrdinalIgnoreCase))
                {
                    foreach (Match read in EnvironmentRead().Matches(param.Value))
                    {
                        result.Add(read.Groups[1].Value);
                    }
                }
            }
        }
        return result;
    }

    private (int ExitCode, string Output) RunDeployEnv(IReadOnlyDictionary<string, string> environment, string command, string file, string? fakeAz = null)
    {
        var bin = Directory.CreateTempSubdirectory("notify-deploy-env-");
        try
        {
            var start = new ProcessStartInfo("bash") { WorkingDirectory = infra.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AZURE_", StringComparison.Ordinal) || k.StartsWith("NOTIFY_", StringComparison.Ordinal) || k is "GITHUB_ACTIONS" or "RUNNER_ENVIRONMENT").ToList())
            {
                start.Environment.Remove(name);
            }
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
            // A stand-in az: the real one is not installed here and must never be called by these tests.
            var az = Path.Combine(bin.FullName, "az");
            File.WriteAllText(az, $"#!/usr/bin/env bash\n{fakeAz ?? "echo 'az must not be called' >&2; exit 9"}\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
            }
            start.Environment["PATH"] = $"{bin.FullName}:{start.Environment["PATH"]}";
            start.ArgumentList.Add(Path.Combine(infra.RepoRoot, "scripts", "deploy-env.sh"));
            start.ArgumentList.Add(command);
            start.ArgumentList.Add(file);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "deploy-env.sh did not finish in 30 s");
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"\n  [a-z][\w-]*:\n")]
    private static partial Regex JobHeader();

    [GeneratedRegex(@"^      ([A-Z][A-Z0-9_]*): (.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvLine();

    [GeneratedRegex(@"^param (\w+) =[\s\S]*?(?=^param |\z)", RegexOptions.Multiline)]
    private static partial Regex ParamBlock();

    [GeneratedRegex(@"readEnvironmentVariable\('([A-Za-z0-9_]+)'")]
    private static partial Regex EnvironmentRead();
}
