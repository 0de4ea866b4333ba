using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Notify.Core.Events;
using Notify.Core.RateLimiting;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Testing.Fakes;

/// <summary>
/// Core's own composition (<see cref="NotifyCoreExtensions.AddNotifyCore"/>) over the in-memory stores, a fake clock
/// and scripted providers: the orchestration (worker, ingest) unit-tested with no storage and no network. The
/// delivery log publishes its events as in the hosts (<see cref="PublishingDeliveryLog"/>), to one subscriber that
/// records them in place of the counters, index, stats, metrics and webhooks.
/// </summary>
public sealed class InMemoryNotify : IDisposable
{
    private readonly ServiceProvider _services;

    public InMemoryNotify(DateTimeOffset start, params IDeliveryProvider[] providers)
    {
        Time = new FakeTimeProvider(start);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddNotifyCore();
        var services = builder.Services;
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
        services.Replace(ServiceDescriptor.Singleton<IJitter>(new FixedJitter(0.5)));
        services.RemoveAll<IDeliveryEventSubscriber>();
        services.AddSingleton<IDeliveryEventSubscriber>(Events);
        services.AddSingleton<IDeliveryLog>(sp => new PublishingDeliveryLog(Log, sp.GetRequiredService<IDeliveryEventPublisher>(), sp));
        services.AddSingleton<IDeliveryQueue>(Queue);
        services.AddSingleton<IInFlightIndex>(InFlight);
        services.AddSingleton<IUserStore>(Users);
        services.AddSingleton<ITemplateStore>(Templates);
        services.AddSingleton<IRateLimiter>(RateLimiter);
        services.AddSingleton<Notify.Core.Scheduling.IScheduleTable>(Schedule);
        services.AddSingleton<Notify.Core.Scheduling.IAppQuietHoursStore>(new InMemoryAppQuietHoursStore());
        foreach (var provider in providers)
        {
            services.AddSingleton(provider);
        }
        // The other storage ports (digests, audit, apps, schedules...) are resolved but not used on the paths these
        // tests take: a call fails the test instead of answering a made-up default.
        foreach (var port in typeof(NotifyOptions).Assembly.GetExportedTypes().Where(t => t.IsInterface && IsStoragePort(t)
            && t != typeof(IDeliveryEventOutbox) && !services.Any(d => d.ServiceType == t)))
        {
            services.AddSingleton(port, typeof(UnusedPort).GetMethod(nameof(UnusedPort.Of))!.MakeGenericMethod(port).Invoke(null, null)!);
        }
        _services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; }

    /// <summary>The log under the publishing decorator: what it holds is what was written.</summary>
    public InMemoryDeliveryLog Log { get; } = new();

    public InMemoryDeliveryQueue Queue { get; } = new();

    public InMemoryInFlightIndex InFlight { get; } = new();

    public InMemoryUserStore Users { get; } = new();

    public InMemoryTemplateStore Templates { get; } = new();

    public InMemoryRateLimiter RateLimiter { get; } = new();

    public InMemoryScheduleTable Schedule { get; } = new();

    public RecordingSubscriber Events { get; } = new();

    private static bool IsStoragePort(Type port) =>
        new[] { "Store", "Table", "Index", "Queue", "Inspector" }.Any(suffix => port.Name.EndsWith(suffix, StringComparison.Ordinal));

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public void Dispose() => _services.Dispose();
}
