using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Notify.Core.Activity;
using Notify.Core.Events;
using Notify.Testing.Fakes;

namespace Notify.Core.Tests.Events;

/// <summary>The delivery log's successful writes become delivery events, and the status counters follow them.</summary>
public sealed class PublishingDeliveryLogTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);
    private const string RequestId = "dddddddddddddddddddddddd";

    private sealed class Throws : IDeliveryEventSubscriber
    {
        public string Name => "throws";

        public bool Durable => false;

        public ValueTask HandleAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken) => throw new InvalidOperationException("down");
    }

    private sealed class CountStore : IStatusCountStore
    {
        public Dictionary<StatusCell, long[]> Rows { get; } = [];

        public Task AddAsync(IReadOnlyDictionary<StatusCell, long[]> deltas, CancellationToken cancellationToken)
        {
            foreach (var (cell, d) in deltas)
            {
                if (!Rows.TryGetValue(cell, out var sum))
                {
                    Rows[cell] = sum = new long[d.Length];
                }
                for (var i = 0; i < d.Length; i++)
                {
                    sum[i] += d[i];
                }
            }
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<StatusCellCounts>> ReadAsync(string? appKey, string? template, Channel? channel, DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private readonly RecordingSubscriber _recorder = new();
    private readonly CountStore _counts = new();
    private readonly ServiceProvider _services;

    public PublishingDeliveryLogTests()
    {
        var inner = new InMemoryDeliveryLog();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDeliveryEvents();
        // A failing subscriber between the others: they still see every event.
        services.AddSingleton<IDeliveryEventSubscriber>(_recorder);
        services.AddSingleton<IDeliveryEventSubscriber>(new Throws());
        services.AddSingleton<IDeliveryEventSubscriber>(sp => sp.GetRequiredService<StatusCounts>());
        services.AddSingleton(new StatusCounts(_counts, NullLogger<StatusCounts>.Instance));
        services.AddSingleton<RequestCache>();
        services.AddSingleton<IDeliveryLog>(sp => new PublishingDeliveryLog(inner, sp.GetRequiredService<IDeliveryEventPublisher>(), sp));
        _services = services.BuildServiceProvider();
    }

    private IDeliveryLog Log => _services.GetRequiredService<IDeliveryLog>();

    private async Task<IReadOnlyList<DeliveryRecord>> IngestAsync()
    {
        var header = new RequestRecord(RequestId, "app", "order-1", "hash", RequestState.Planning, "receipt", "v1", "{}", Priority.Normal, 2, Start);
        await Log.TryCreateRequestAsync(header, TestContext.Current.CancellationToken);
        return await Log.AppendAsync(header,
            [
                new DeliveryRecord(new DeliveryKey(RequestId, 1), "app", "order-1", "ann", Channel.Email, DeliveryStatus.Queued, null, 0, Start, Start),
                new DeliveryRecord(new DeliveryKey(RequestId, 2), "app", "order-1", "bo", Channel.Email, DeliveryStatus.Skipped, "opted-out", 0, Start, Start),
            ], 2, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task An_append_and_each_successful_transition_are_events_with_stable_ids_and_a_failed_write_is_none()
    {
        var logged = await IngestAsync();
        var claim = ClaimRules.Sending(1, Start, new DeliveryOptions()).Of(DeliverySubject.Of(logged[0], "worker"));
        var claimed = await Log.TryTransitionAsync(logged[0].Key, logged[0].ETag!, claim, TestContext.Current.CancellationToken);
        // The same ETag again: the write fails, so nothing happened and nothing is published.
        Assert.Null(await Log.TryTransitionAsync(logged[0].Key, logged[0].ETag!, claim, TestContext.Current.CancellationToken));
        var sent = new DeliveryTransition(DeliveryStatus.Sent, 1, Start.AddSeconds(1)) { Provider = "sendgrid", ProviderMessageId = "sg-1" }
            .Of(new DeliverySubject(Channel.Email, "ann", DeliveryStatus.Sending, "worker"));
        await Log.TryTransitionManyAsync(RequestId, [new DeliveryChange(1, claimed!, sent)], TestContext.Current.CancellationToken);

        Assert.Equal(["queued", "skipped", "sending", "sent"], _recorder.Events.Select(e => e.Type));
        Assert.Equal([null, null, DeliveryStatus.Queued, DeliveryStatus.Sending], _recorder.Events.Select(e => e.From));
        Assert.Equal($"{RequestId}-1.1.sent", _recorder.Events[3].Id);
        Assert.Equal("sendgrid", _recorder.Events[3].Provider);
        Assert.Equal("receipt", _recorder.Events[3].Template);
        Assert.Equal("opted-out", _recorder.Events[1].Reason);
    }

    [Fact]
    public async Task The_status_counters_follow_the_events_to_the_current_statuses()
    {
        var logged = await IngestAsync();
        var claim = ClaimRules.Sending(1, Start, new DeliveryOptions()).Of(DeliverySubject.Of(logged[0], "worker"));
        await Log.TryTransitionAsync(logged[0].Key, logged[0].ETag!, claim, TestContext.Current.CancellationToken);

        await _services.GetRequiredService<StatusCounts>().FlushAsync(TestContext.Current.CancellationToken);

        var (cell, counts) = Assert.Single(_counts.Rows);
        Assert.Equal(new StatusCell(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), "app", "receipt", Channel.Email), cell);
        Assert.Equal(0, counts[(int)DeliveryStatus.Queued]);
        Assert.Equal(1, counts[(int)DeliveryStatus.Sending]);
        Assert.Equal(1, counts[(int)DeliveryStatus.Skipped]);
    }

    [Fact]
    public async Task Inside_a_gathering_the_events_reach_the_subscribers_once_when_it_ends()
    {
        var publisher = _services.GetRequiredService<DeliveryEventPublisher>();
        await using (publisher.Gather())
        {
            await IngestAsync();
            Assert.Empty(_recorder.Events);
        }
        Assert.Equal(2, _recorder.Events.Count);
        // After the scope, publishing is immediate again.
        var logged = await Log.ListAsync(RequestId, TestContext.Current.CancellationToken);
        await Log.TryTransitionAsync(logged[0].Key, logged[0].ETag!, ClaimRules.Sending(1, Start, new DeliveryOptions()).Of(DeliverySubject.Of(logged[0], "worker")), TestContext.Current.CancellationToken);
        Assert.Equal(3, _recorder.Events.Count);
    }
}
