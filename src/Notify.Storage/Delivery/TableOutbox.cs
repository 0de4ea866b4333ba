namespace Notify.Storage.Delivery;

/// <summary>The Outbox provider's record, per user. Each send is its own row, so duplicates are visible.</summary>
public sealed class TableOutbox(TableServiceClient service, StorageNames names) : IOutbox
{
    private readonly TableClient _table = service.GetTableClient(names.Outbox);

    public async Task RecordAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(entry.UserId, $"{entry.DeliveryId}|{Guid.NewGuid():N}")
        {
            ["DeliveryId"] = entry.DeliveryId,
            ["Channel"] = entry.Channel.ToName(),
            ["To"] = entry.To,
            ["At"] = entry.At,
        }
        .With("Platform", entry.Platform?.ToName())
        .With("Title", entry.Title)
        .With("Subject", entry.Subject)
        .With("Body", entry.Body)
        .With("Html", entry.Html)
        .With("Text", entry.Text)
        .With("Data", entry.Data is null ? null : JsonSerializer.Serialize(entry.Data));
        await _table.AddEntityAsync(entity, cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxEntry>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var result = new List<OutboxEntry>();
        await foreach (var e in _table.QueryAsync<TableEntity>(x => x.PartitionKey == userId, cancellationToken: cancellationToken))
        {
            ChannelNames.TryParse(e.GetString("Channel"), out var channel);
            result.Add(new OutboxEntry(e.GetString("DeliveryId"), userId, channel, e.GetString("To"), e.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue)
            {
                Platform = ChannelNames.TryParsePlatform(e.GetString("Platform"), out var p) ? p : null,
                Title = e.GetString("Title"),
                Subject = e.GetString("Subject"),
                Body = e.GetString("Body"),
                Html = e.GetString("Html"),
                Text = e.GetString("Text"),
                Data = e.GetString("Data") is { } data ? JsonSerializer.Deserialize<Dictionary<string, string>>(data) : null,
            });
        }
        return [.. result.OrderBy(r => r.At)];
    }
}
