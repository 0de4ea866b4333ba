using Notify.Core.Notifications;
using Notify.Core.Users;
using Notify.Testing.Fakes;

namespace Notify.Core.Tests.Notifications;

/// <summary>
/// The ingest's orchestration (claim the eventId, plan, log, enqueue) over Core's own composition with the in-memory
/// log, queue and stores, on a fake clock.
/// </summary>
public sealed class IngestServiceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly InMemoryNotify _notify = new(Start, new ScriptedProvider("first", Channel.Sms));

    public void Dispose() => _notify.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IngestService Ingest => _notify.Get<IngestService>();

    private async Task<IngestResult> IngestAsync(string recipients, string extra = "")
    {
        await _notify.Templates.PutAsync("welcome", """{"defaultLocale":"en","channels":{"sms":{"body":"Hi {{ data.name }}"}}}""", Ct);
        var errors = new ValidationErrors();
        var request = NotificationRequest.Parse(Json.Parse($$"""{"eventId":"order:42","template":"welcome","recipients":[{{recipients}}],"data":{"name":"Ada"}{{extra}}}"""), errors);
        Assert.True(errors.IsEmpty);
        return await Ingest.IngestAsync("app", request!, Ct);
    }

    private async Task<IReadOnlyList<DeliveryRecord>> LoggedAsync(IngestResult result) =>
        await _notify.Log.ListAsync(RequestIds.For("app", result.Response!.EventId), Ct);

    [Fact]
    public async Task The_log_is_written_before_anything_is_enqueued()
    {
        _notify.Users.Put("user-1");
        _notify.Users.Put("user-2");
        var checkedMessages = 0;
        _notify.Queue.BeforeEnqueue = async batches =>
        {
            foreach (var message in batches.SelectMany(b => b.Deliveries))
            {
                // The message's delivery is in the log, queued, with the very ETag the message carries.
                var logged = await _notify.Log.GetAsync(message.Key, Ct);
                Assert.NotNull(logged);
                Assert.Equal(DeliveryStatus.Queued, logged.Status);
                Assert.Equal(logged.ETag, message.ETag);
                checkedMessages++;
            }
        };

        var result = await IngestAsync("\"user-1\",\"user-2\"");

        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        Assert.Equal(2, checkedMessages);
        Assert.Equal(result.Response!.Deliveries.Select(d => d.Id), _notify.Queue.Messages.Select(m => m.Key.Id));
        Assert.Contains(RequestIds.For("app", "order:42"), _notify.InFlight.Entries.Keys);
    }

    [Fact]
    public async Task A_repeated_event_id_returns_the_original_ids_and_enqueues_nothing_once_they_are_sent()
    {
        _notify.Users.Put("user-1");
        var first = await IngestAsync("\"user-1\"");
        var delivery = Assert.Single(await LoggedAsync(first));
        await _notify.Log.TryTransitionAsync(delivery.Key, delivery.ETag!, new DeliveryTransition(DeliveryStatus.Sent, 1, Start), Ct);
        var enqueued = _notify.Queue.Sent.Count;
        var writes = _notify.Log.Writes;

        _notify.Time.Advance(TimeSpan.FromMinutes(5));
        var repeat = await IngestAsync("\"user-1\"");

        Assert.Equal(IngestOutcome.Duplicate, repeat.Outcome);
        Assert.True(repeat.Response!.Duplicate);
        Assert.Equal(first.Response!.Deliveries.Select(d => d.Id), repeat.Response.Deliveries.Select(d => d.Id));
        Assert.Equal(enqueued, _notify.Queue.Sent.Count);
        Assert.Equal(writes, _notify.Log.Writes);
    }

    [Fact]
    public async Task Rate_limited_opted_out_and_unknown_users_are_skipped_with_their_reason_and_no_message()
    {
        _notify.Users.Put("limited");
        _notify.RateLimiter.Exhaust("limited", Channel.Sms);
        _notify.Users.Put("opted-out", new ChannelPreferences(null, null, Sms: false));
        _notify.Users.Put("welcome");

        var result = await IngestAsync("\"limited\",\"opted-out\",\"nobody\",\"welcome\"");

        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        var byUser = (await LoggedAsync(result)).ToDictionary(d => d.UserId);
        Assert.Equal((DeliveryStatus.Skipped, SkipReasons.RateLimited), (byUser["limited"].Status, byUser["limited"].Reason));
        Assert.Equal((DeliveryStatus.Skipped, SkipReasons.OptedOut), (byUser["opted-out"].Status, byUser["opted-out"].Reason));
        Assert.Equal((DeliveryStatus.Skipped, SkipReasons.UnknownUser), (byUser["nobody"].Status, byUser["nobody"].Reason));
        Assert.Equal(DeliveryStatus.Queued, byUser["welcome"].Status);
        Assert.Equal(byUser["welcome"].Key, Assert.Single(_notify.Queue.Messages).Key);
    }

    [Fact]
    public async Task A_delivery_scheduled_beyond_the_queues_reach_is_not_enqueued_and_waits_in_the_schedule()
    {
        _notify.Users.Put("user-1");
        var sendAt = Start.AddDays(10);

        var result = await IngestAsync("\"user-1\"", $$""","sendAt":"{{sendAt:yyyy-MM-ddTHH:mm:ssZ}}" """);

        Assert.Equal(IngestOutcome.Accepted, result.Outcome);
        var delivery = Assert.Single(await LoggedAsync(result));
        Assert.Equal(DeliveryStatus.Scheduled, delivery.Status);
        Assert.Equal(sendAt, delivery.NotBefore);
        Assert.Empty(_notify.Queue.Sent);
        var waiting = Assert.Single(_notify.Schedule.Waiting);
        Assert.Equal(sendAt, waiting.DueAt);
        Assert.Equal(delivery.Key, Assert.Single(waiting.Batch.Deliveries).Key);
    }
}
