using Notify.Testing.Fakes;

namespace Notify.Core.Tests.Delivery;

/// <summary>
/// The worker's orchestration (claim, dispatch, record) over Core's own composition with the in-memory log and queue,
/// scripted providers and a fake clock. Every status change is asserted as the delivery events a subscriber saw.
/// </summary>
public sealed class DeliveryWorkerTests : IDisposable
{
    private const string RequestId = "aaaaaaaaaaaaaaaaaaaaaaaa";
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly ScriptedProvider _first = new("first", Channel.Sms);
    private readonly ScriptedProvider _second = new("second", Channel.Sms);
    private readonly InMemoryNotify _notify;

    public DeliveryWorkerTests() => _notify = new InMemoryNotify(Start, _first, _second);

    public void Dispose() => _notify.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DeliveryWorker Worker => _notify.Get<DeliveryWorker>();

    /// <summary>A logged request with one queued SMS delivery, and the message that would carry it.</summary>
    private async Task<DeliveryMessage> QueuedAsync()
    {
        var template = await _notify.Templates.PutAsync("welcome", """{"defaultLocale":"en","channels":{"sms":{"body":"Hi {{ data.name }}"}}}""", Ct);
        var header = new RequestRecord(RequestId, "app", "event-1", "hash", RequestState.Logged, "welcome", template.Version, """{"name":"Ada"}""", Priority.Normal, 1, Start);
        await _notify.Log.TryCreateRequestAsync(header, Ct);
        var delivery = new DeliveryRecord(new DeliveryKey(RequestId, 1), "app", "event-1", "user-1", Channel.Sms, DeliveryStatus.Queued, null, 0, Start, Start) { Address = "+15550000001" };
        return DeliveryMessage.For((await _notify.Log.AppendAsync(header, [delivery], 1, Ct))[0], 1);
    }

    private async Task<DeliveryRecord> StoredAsync(DeliveryMessage message) => (await _notify.Log.GetAsync(message.Key, Ct))!;

    private IEnumerable<(DeliveryStatus? From, DeliveryStatus To)> Published() => _notify.Events.Events.Select(e => (e.From, e.Status));

    [Fact]
    public async Task A_claimed_delivery_is_sent_once_and_recorded_sent_with_the_providers_id()
    {
        var message = await QueuedAsync();
        _first.Answer(new DeliveryOutcome.Sent("sm-42"));

        await Worker.HandleAsync(message, Ct);
        // The same message again (a queue redelivery): the log says sent, so nothing more goes out.
        await Worker.HandleAsync(message, Ct);

        var sent = Assert.Single(_first.Sent);
        Assert.Equal("+15550000001", sent.To);
        Assert.Equal("Hi Ada", sent.Content.Body);
        Assert.Empty(_second.Sent);
        var stored = await StoredAsync(message);
        Assert.Equal(DeliveryStatus.Sent, stored.Status);
        Assert.Equal("sm-42", stored.ProviderMessageId);
        Assert.Equal("first", stored.Provider);
        Assert.Equal([(DeliveryStatus.Queued, DeliveryStatus.Sending), (DeliveryStatus.Sending, DeliveryStatus.Sent)], Published());
        Assert.Equal("sm-42", _notify.Events.Events[^1].ProviderMessageId);
        Assert.Empty(_notify.Queue.Sent);
    }

    [Fact]
    public async Task A_transient_outcome_schedules_a_retry_after_the_backoff_and_records_retrying()
    {
        var message = await QueuedAsync();
        _first.Answer(new DeliveryOutcome.Transient("provider-busy", "Try later."));

        await Worker.HandleAsync(message, Ct);

        // Attempt 1: the backoff's ceiling is the base delay, times the fixed jitter of 0.5.
        var backoff = new NotifyOptions().Delivery.RetryBaseDelay * 0.5;
        var stored = await StoredAsync(message);
        Assert.Equal(DeliveryStatus.Retrying, stored.Status);
        Assert.Equal(Start + backoff, stored.NextAttemptAt);
        Assert.StartsWith("provider-busy", stored.LastError, StringComparison.Ordinal);
        var (batch, delay) = Assert.Single(_notify.Queue.Sent);
        Assert.Equal(backoff, delay);
        var retry = Assert.Single(batch.Deliveries);
        Assert.Equal(message.Key, retry.Key);
        Assert.Equal(stored.ETag, retry.ETag);
        Assert.Equal([(DeliveryStatus.Queued, DeliveryStatus.Sending), (DeliveryStatus.Sending, DeliveryStatus.Retrying)], Published());
    }

    [Fact]
    public async Task A_permanent_outcome_fails_the_delivery_and_queues_nothing()
    {
        var message = await QueuedAsync();
        _first.Answer(new DeliveryOutcome.Permanent("content-rejected", "Rejected by the carrier."));

        await Worker.HandleAsync(message, Ct);

        var stored = await StoredAsync(message);
        Assert.Equal(DeliveryStatus.Failed, stored.Status);
        Assert.StartsWith("content-rejected", stored.LastError, StringComparison.Ordinal);
        Assert.Single(_first.Sent);
        Assert.Empty(_notify.Queue.Sent);
        Assert.Equal([(DeliveryStatus.Queued, DeliveryStatus.Sending), (DeliveryStatus.Sending, DeliveryStatus.Failed)], Published());
    }

    [Fact]
    public async Task A_lost_claim_sends_nothing_and_the_delivery_comes_back_when_the_other_workers_lease_ends()
    {
        var message = await QueuedAsync();
        // Another worker claimed it first: the message's ETag no longer matches, and its lease runs 50 s more.
        _notify.Log.Put(await StoredAsync(message) with { Status = DeliveryStatus.Sending, Attempts = 1, LeaseUntil = Start.AddSeconds(50) });

        await Worker.HandleAsync(message, Ct);

        Assert.Empty(_first.Sent);
        Assert.Empty(_second.Sent);
        Assert.Empty(_notify.Events.Events);
        Assert.Equal(DeliveryStatus.Sending, (await StoredAsync(message)).Status);
        var (batch, delay) = Assert.Single(_notify.Queue.Sent);
        Assert.Equal(message.Key, Assert.Single(batch.Deliveries).Key);
        Assert.Equal(TimeSpan.FromSeconds(51), delay);
    }

    [Fact]
    public async Task A_delivery_already_final_is_dropped_without_a_send_an_event_or_a_message()
    {
        var message = await QueuedAsync();
        var final = _notify.Log.Put(await StoredAsync(message) with { Status = DeliveryStatus.Failed, Attempts = 1 });

        await Worker.HandleAsync(message, Ct);

        Assert.Empty(_first.Sent);
        Assert.Empty(_notify.Events.Events);
        Assert.Empty(_notify.Queue.Sent);
        Assert.Equal(final.ETag, (await StoredAsync(message)).ETag);
    }

    [Fact]
    public async Task A_delivery_the_first_provider_does_not_accept_fails_over_at_once_to_the_second()
    {
        var message = await QueuedAsync();
        _first.Answer(new DeliveryOutcome.Transient("not-accepted", "Account suspended.", NotAccepted: true));
        _second.Answer(new DeliveryOutcome.Sent("second-7"));

        await Worker.HandleAsync(message, Ct);

        var retrying = await StoredAsync(message);
        Assert.Equal(DeliveryStatus.Retrying, retrying.Status);
        Assert.Equal("second", retrying.NextProvider);
        var (batch, delay) = Assert.Single(_notify.Queue.Sent);
        Assert.Equal(TimeSpan.Zero, delay);

        await Worker.HandleAsync(batch, Ct);

        Assert.Single(_first.Sent);
        Assert.Single(_second.Sent);
        var stored = await StoredAsync(message);
        Assert.Equal(DeliveryStatus.Sent, stored.Status);
        Assert.Equal("second", stored.Provider);
        Assert.Equal("second-7", stored.ProviderMessageId);
        Assert.Equal(
            [
                (DeliveryStatus.Queued, DeliveryStatus.Sending),
                (DeliveryStatus.Sending, DeliveryStatus.Retrying),
                (DeliveryStatus.Retrying, DeliveryStatus.Sending),
                (DeliveryStatus.Sending, DeliveryStatus.Sent),
            ],
            Published());
        Assert.Equal(["first", "second"], _notify.Events.Events.Where(e => e.Status != DeliveryStatus.Sending).Select(e => e.Provider));
        // Every write the log holds after the queued one was published, none more.
        Assert.Equal(stored.History.Skip(1).Select(h => h.Status), _notify.Events.Events.Select(e => e.Status));
    }
}
