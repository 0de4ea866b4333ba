namespace Notify.Core.Events;

/// <summary>
/// The durable copy of the delivery events a durable subscriber wants (Table Storage implements it). A copy is kept
/// before the status write it describes, removed once every durable subscriber has handled the event, and whatever is
/// left behind (the host died between the write and the publish, or a durable subscriber failed) is handed over again by
/// <see cref="DeliveryEventRecovery"/>, from the sweeper. Kept by the time it was kept, never in the in-flight index: a
/// receipt days after sending is recovered the same way as a claim.
/// </summary>
public interface IDeliveryEventOutbox
{
    /// <summary>Keeps each event (its <see cref="DeliveryEvent.KeptAt"/> set); a copy kept again under the same id is overwritten.</summary>
    Task KeepAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken);

    /// <summary>Removes the kept copies of these events (a copy already gone is no error).</summary>
    Task RemoveAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken);

    /// <summary>Copies kept at or before <paramref name="keptBefore"/> and after <paramref name="since"/>, oldest day first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<DeliveryEvent>> ListLeftAsync(DateTimeOffset since, DateTimeOffset keptBefore, int max, CancellationToken cancellationToken);
}

/// <summary>
/// A durable subscriber that wants only some events (webhooks: the events an app's endpoints subscribe to). Only the
/// events some durable subscriber wants get a kept copy, so an app with no endpoint pays no storage operation for it.
/// A durable subscriber that does not implement this wants every event.
/// </summary>
public interface IDurableInterest
{
    ValueTask<bool> WantsAsync(DeliveryEvent deliveryEvent, CancellationToken cancellationToken);
}
