namespace Notify.LocalHost;

public sealed record HttpFunction(string Name, Type Type, MethodInfo Method, string Route, IReadOnlyList<string> Methods);

public sealed record QueueFunction(string Name, Type Type, MethodInfo Method, string QueueName, Type MessageType);

public sealed record TimerFunction(string Name, Type Type, MethodInfo Method, string Schedule);

/// <summary>
/// Every function in the Functions assembly, read from the same attributes the Worker SDK turns into
/// functions.metadata, so the LocalHost runs exactly what Azure would: same routes, queues and schedules.
/// </summary>
public sealed class FunctionCatalog
{
    public FunctionCatalog(Assembly assembly)
    {
        foreach (var type in assembly.GetExportedTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
                {
                    continue;
                }
                foreach (var parameter in method.GetParameters())
                {
                    if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is { } http)
                    {
                        (method.GetCustomAttribute<Notify.Functions.Http.AzureOnlyAttribute>() is null ? Http : AzureOnly).Add(new HttpFunction(function.Name, type, method, http.Route ?? function.Name, [.. (http.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant())]));
                    }
                    else if (parameter.GetCustomAttribute<QueueTriggerAttribute>() is { } queue)
                    {
                        Queues.Add(new QueueFunction(function.Name, type, method, queue.QueueName, parameter.ParameterType));
                    }
                    else if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is { } timer)
                    {
                        Timers.Add(new TimerFunction(function.Name, type, method, timer.Schedule));
                    }
                }
            }
        }
    }

    public List<HttpFunction> Http { get; } = [];

    /// <summary>HTTP functions the LocalHost does not serve, because its own pipeline does their job (the unknown-route catch-all).</summary>
    public List<HttpFunction> AzureOnly { get; } = [];

    public List<QueueFunction> Queues { get; } = [];

    public List<TimerFunction> Timers { get; } = [];

    public static FunctionCatalog ForNotify() => new(typeof(Notify.Functions.NotifyFunctionsExtensions).Assembly);
}
