using Microsoft.Extensions.DependencyInjection;
using Notify.Core.Events;
using Notify.Testing.Fakes;

namespace Notify.Core.Tests.Events;

/// <summary>
/// Durable subscribers (docs/delivery.md "Durability"): an event a durable subscriber wants is kept before its status
/// write and removed once handed over; a host that dies between the write and the publish leaves the copy, and the
/// sweeper's recovery hands it to the durable subscribers again under the same id, or discards it when the write never
/// happened. An event no durable subscriber wants costs no write.
/// </summary>
public sealed class DeliveryEventDurabilityTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);
    private const string RequestId = "eeeeeeeeeeeeeeeeeeeeeeee";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Recorder(string name, bool durable, Func<DeliveryEvent, bool>? wants = null) : IDeliveryEventSubscriber, IDurableInterest
    {
        public List<DeliveryEvent> Events { get; } = [];

        /// <summary>What a webhook would go out for: the events it handles that it also wants kept.</summary>
        public IEnumerable<DeliveryEvent> Wanted => Events.Where(e => wants?.Invoke(e) ?? true);

        public bool Failing { get; set; }

        public string Name => name;

        public bool Durable => durable;

        public ValueTask<bool> WantsAsync(DeliveryEvent deliveryEvent, CancellationToken cancellationToken) => ValueTask.FromResult(wants?.Invoke(deliveryEvent) ?? true);

        public ValueTask HandleAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
        {
            if (Failing)
            {
                throw new InvalidOperationException("receiver down");
            }
            Events.AddRange(events);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The store's log of a host that dies right after a chosen write: the write lands, nothing after it runs.</summary>
    private sealed class DyingLog(IDeliveryLog inner) : DelegatingDeliveryLog(inner)
    {
        public DeliveryStatus? DieAfter { get; set; }

        public DeliveryStatus? DieBefore { get; set; }

        public override async Task<string?> TryTransitionAsync(DeliveryKey key, string etag, DeliveryTransition transition, CancellationToken cancellationToken)
        {
            if (transition.Status == DieBefore)
            {
                throw new OperationCanceledException("the host died before the write");
            }
            var written = await Inner.TryTransitionAsync(key, etag, transition, cancellationToken);
            return transition.Status == DieAfter ? throw new OperationCanceledException("the host died after the write") : written;
        }
    }

    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryEventOutbox _outbox = new();
    private readonly DyingLog _store = new(new InMemoryDeliveryLog());
    private readonly Recorder _webhooks = new("webhooks", durable: true, wants: e => e.Type == "sent");
    private readonly Recorder _metrics = new("metrics", durable: false);
    private readonly ServiceProvider _services;

    public DeliveryEventDurabilityTests()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<IOptions<NotifyOptions>>(Options.Create(new NotifyOptions()));
        services.AddDeliveryEvents();
        services.AddSingleton<IDeliveryEventSubscriber>(_metrics);
        services.AddSingleton<IDeliveryEventSubscriber>(_webhooks);
        services.AddSingleton<IDeliveryEventOutbox>(_outbox);
        services.AddSingleton<RequestCache>();
        services.AddSingleton<IDeliveryLog>(sp => new PublishingDeliveryLog(_store, sp.GetRequiredService<IDeliveryEventPublisher>(), sp));
        services.AddSingleton<DeliveryEventRecovery>();
        _services = services.BuildServiceProvider();
    }

    public void Dispose() => _services.Dispose();

    private IDeliveryLog Log => _services.GetRequiredService<IDeliveryLog>();

    private DeliveryEventRecovery Recovery => _services.GetRequiredService<DeliveryEventRecovery>();

    /// <summary>One delivery logged and claimed: the next write is its <c>sent</c>.</summary>
    private async Task<(DeliveryKey Key, string ETag)> ClaimedAsync()
    {
        var header = new RequestRecord(RequestId, "app", "order-1", "hash", RequestState.Planning, "receipt", "v1", "{}", Priority.Normal, 1, Start);
        await Log.TryCreateRequestAsync(header, Ct);
        var logged = await Log.AppendAsync(header,
            [new DeliveryRecord(new DeliveryKey(RequestId, 1), "app", "order-1", "ann", Channel.Email, DeliveryStatus.Queued, null, 0, Start, Start)], 1, Ct);
        var claim = ClaimRules.Sending(1, Start, new DeliveryOptions()).Of(DeliverySubject.Of(logged[0], "worker"));
        return (logged[0].Key, (await Log.TryTransitionAsync(logged[0].Key, logged[0].ETag!, claim, Ct))!);
    }

    private static DeliveryTransition Sent => new DeliveryTransition(DeliveryStatus.Sent, 1, Start.AddSeconds(1)) { Provider = "sendgrid", ProviderMessageId = "sg-1" }
        .Of(new DeliverySubject(Channel.Email, "ann", DeliveryStatus.Sending, "worker"));

    [Fact]
    public async Task Only_a_wanted_event_is_kept_and_its_copy_is_gone_once_handed_over()
    {
        var (key, etag) = await ClaimedAsync();
        var writesBefore = _outbox.Writes;
        Assert.Equal(0, writesBefore);

        await Log.TryTransitionAsync(key, etag, Sent, Ct);

        Assert.Equal(["queued", "sending", "sent"], _metrics.Events.Select(e => e.Type));
        var sent = Assert.Single(_webhooks.Wanted);
        Assert.Equal($"{RequestId}-1.1.sent", sent.Id);
        Assert.Equal(Start, sent.KeptAt);
        // One keep before the write, one removal after the publish; the queued and sending events cost nothing.
        Assert.Equal(2, _outbox.Writes);
        Assert.Empty(_outbox.Kept);
    }

    [Fact]
    public async Task A_host_that_dies_between_the_write_and_the_publish_leaves_the_event_to_the_recovery_under_the_same_id()
    {
        var (key, etag) = await ClaimedAsync();
        _store.DieAfter = DeliveryStatus.Sent;
        await Assert.ThrowsAsync<OperationCanceledException>(() => Log.TryTransitionAsync(key, etag, Sent, Ct));
        Assert.Empty(_webhooks.Wanted);
        var left = Assert.Single(_outbox.Kept);

        // Within the grace the copy is left alone (its publish may still be on its way).
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, (await Recovery.RunAsync(Ct)).Recovered);
        _time.Advance(new NotifyOptions().Sweeper.EventGrace);
        var report = await Recovery.RunAsync(Ct);

        Assert.Equal(1, report.Recovered);
        var recovered = Assert.Single(_webhooks.Wanted);
        Assert.Equal(left.Id, recovered.Id);
        Assert.Equal($"{RequestId}-1.1.sent", recovered.Id);
        Assert.Equal("sg-1", recovered.ProviderMessageId);
        // The non-durable subscribers are not handed it again; the copy is gone, so a second sweep hands over nothing.
        Assert.DoesNotContain(_metrics.Events, e => e.Type == "sent");
        Assert.Empty(_outbox.Kept);
        Assert.Equal(0, (await Recovery.RunAsync(Ct)).Examined);
    }

    [Fact]
    public async Task A_copy_whose_write_never_happened_is_discarded_and_handed_to_no_one()
    {
        var (key, etag) = await ClaimedAsync();
        _store.DieBefore = DeliveryStatus.Sent;
        await Assert.ThrowsAsync<OperationCanceledException>(() => Log.TryTransitionAsync(key, etag, Sent, Ct));
        Assert.Single(_outbox.Kept);

        _time.Advance(TimeSpan.FromMinutes(3));
        var report = await Recovery.RunAsync(Ct);

        Assert.Equal((1, 0, 1), (report.Examined, report.Recovered, report.Discarded));
        Assert.Empty(_webhooks.Wanted);
        Assert.Empty(_outbox.Kept);
    }

    [Fact]
    public async Task A_write_that_loses_its_etag_discards_its_copy_at_once()
    {
        var (key, _) = await ClaimedAsync();

        Assert.Null(await Log.TryTransitionAsync(key, "stale", Sent, Ct));

        Assert.Empty(_webhooks.Wanted);
        Assert.Empty(_outbox.Kept);
    }

    [Fact]
    public async Task A_durable_subscriber_that_fails_keeps_the_copy_and_gets_the_event_again_from_the_recovery()
    {
        var (key, etag) = await ClaimedAsync();
        _webhooks.Failing = true;
        await Log.TryTransitionAsync(key, etag, Sent, Ct);
        Assert.Single(_outbox.Kept);

        _webhooks.Failing = false;
        _time.Advance(TimeSpan.FromMinutes(3));
        await Recovery.RunAsync(Ct);

        Assert.Equal($"{RequestId}-1.1.sent", Assert.Single(_webhooks.Wanted).Id);
        Assert.Empty(_outbox.Kept);
    }

    [Fact]
    public async Task Inside_a_gathering_the_copy_stays_until_the_gathered_events_are_handed_over()
    {
        var (key, etag) = await ClaimedAsync();
        var publisher = _services.GetRequiredService<DeliveryEventPublisher>();
        await using (publisher.Gather())
        {
            await Log.TryTransitionAsync(key, etag, Sent, Ct);
            Assert.Single(_outbox.Kept);
        }
        Assert.Single(_webhooks.Wanted);
        Assert.Empty(_outbox.Kept);
    }
}
