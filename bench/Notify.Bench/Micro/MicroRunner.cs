using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Notify.Bench.Micro;

/// <summary>
/// The <c>--micro</c> mode: BenchmarkDotNet in this process (no generated projects to build), with bounded
/// warm-up and iteration counts. <see cref="Smoke"/> is what the short pipeline run does instead: each
/// benchmark body once, so a broken benchmark fails CI without spending its time.
/// </summary>
public static class MicroRunner
{
    public static readonly Type[] Benchmarks = [typeof(TemplateBenchmarks), typeof(ValidationBenchmarks)];

    public static int Run(bool quick, string artifacts)
    {
        var job = (quick ? Job.Dry : Job.Default.WithWarmupCount(3).WithIterationCount(10).WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250)))
            .WithLaunchCount(1)
            .WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(MarkdownExporter.GitHub, JsonExporter.Brief)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.JoinSummary);
        var summaries = BenchmarkRunner.Run(Benchmarks, config);
        var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Length == 0 || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }

    /// <summary>Runs every [Benchmark] once and checks that the catalog serves one parsed instance; returns what it checked.</summary>
    public static string Smoke()
    {
        var calls = 0;
        foreach (var type in Benchmarks)
        {
            var instance = Activator.CreateInstance(type)!;
            Invoke<GlobalSetupAttribute>(type, instance);
            foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
            {
                var result = method.Invoke(instance, null);
                if (result is Task task)
                {
                    task.GetAwaiter().GetResult();
                }
                calls++;
            }
            if (instance is TemplateBenchmarks templates)
            {
                var first = templates.Cached();
                for (var i = 0; i < 100; i++)
                {
                    templates.CatalogCurrent().GetAwaiter().GetResult();
                    templates.CatalogCachedVersion().GetAwaiter().GetResult();
                }
                if (!ReferenceEquals(first, templates.Cached()))
                {
                    throw new InvalidOperationException("TemplateCatalog built a new CompiledTemplate for an unchanged version.");
                }
            }
            Invoke<GlobalCleanupAttribute>(type, instance);
        }
        return $"{calls} micro-benchmark bodies ran once; 200 catalog look-ups returned the one cached CompiledTemplate";
    }

    private static void Invoke<T>(Type type, object instance) where T : Attribute
    {
        foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<T>() is not null))
        {
            method.Invoke(instance, null);
        }
    }
}
