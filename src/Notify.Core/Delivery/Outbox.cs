namespace Notify.Core.Delivery;

/// <summary>A message as the Outbox provider recorded it: exactly what a real provider would have been given.</summary>
public sealed record OutboxEntry(
    string DeliveryId,
    string UserId,
    Channel Channel,
    string To,
    DateTimeOffset At)
{
    public DevicePlatform? Platform { get; init; }
    public string? Title { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }
    public string? Html { get; init; }
    public string? Text { get; init; }
    public IReadOnlyDictionary<string, string>? Data { get; init; }
}

/// <summary>Where the Outbox provider records messages. Every send is a new entry, so a duplicate send shows as two.</summary>
public interface IOutbox
{
    Task RecordAsync(OutboxEntry entry, CancellationToken cancellationToken);

    Task<IReadOnlyList<OutboxEntry>> ListAsync(string userId, CancellationToken cancellationToken);
}
