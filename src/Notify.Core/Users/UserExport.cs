using System.Buffers;
using Notify.Core.Activity;
using Notify.Core.Templates;
using Notify.Core.Notifications;
using Notify.Core.Tracking;

namespace Notify.Core.Users;

/// <summary>
/// <c>GET /api/v1/users/{userId}/export</c> (docs/data.md#export): every record Notify holds about a user as one JSON
/// document, written with a <see cref="Utf8JsonWriter"/> straight to the response and flushed after each delivery,
/// so a long history never sits in memory: only one delivery and its rendering at a time.
/// </summary>
public sealed class UserExportService(IUserStore users, IUserErasureStore index, IDeliveryLog log, ConsoleTemplateService templates, ITrackingStore tracking, Inbox.IInboxStore inbox)
{
    /// <summary>Deliveries written between two flushes of the output.</summary>
    public const int FlushEvery = 16;

    /// <summary>False (nothing written) when Notify knows neither the user nor any delivery of theirs.</summary>
    public async Task<bool> WriteAsync(string userId, Stream output, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(userId, cancellationToken);
        var deliveries = index.DeliveriesOfAsync(userId, cancellationToken);
        await using var first = deliveries.GetAsyncEnumerator(cancellationToken);
        var any = await first.MoveNextAsync();
        if (user is null && !any)
        {
            return false;
        }

        // The writer fills a buffer (JsonSerializer flushes its writer synchronously, which a response stream refuses);
        // the buffer goes to the output asynchronously and is reused.
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        async Task FlushAsync()
        {
            writer.Flush();
            await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
            buffer.ResetWrittenCount();
        }

        writer.WriteStartObject();
        writer.WritePropertyName("user");
        JsonSerializer.Serialize(writer, user?.Profile, json); // null without a profile
        writer.WriteStartArray("devices");
        foreach (var d in user?.Devices ?? [])
        {
            writer.WriteStartObject();
            writer.WriteString("id", d.Id);
            writer.WriteString("token", ContactMask.Token(d.Token));
            writer.WriteString("platform", d.Platform.ToName());
            writer.WriteString("registeredAt", d.RegisteredAt);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WritePropertyName("preferences");
        JsonSerializer.Serialize(writer, user?.Preferences, json); // null without a profile

        writer.WriteStartArray("deliveries");
        var written = 0;
        for (var more = any; more; more = await first.MoveNextAsync())
        {
            var key = first.Current;
            if (await log.GetAsync(key, cancellationToken) is not { } record || record.UserId != userId)
            {
                continue;
            }
            var header = await log.GetRequestAsync(key.RequestId, cancellationToken);
            writer.WriteStartObject();
            writer.WritePropertyName("delivery");
            JsonSerializer.Serialize(writer, DeliveryView.From(record) with { Template = header?.Template, TemplateVersion = header?.TemplateVersion }, json);
            writer.WritePropertyName("message");
            if (header is not null && await templates.RenderAsync(record, header, cancellationToken) is { Kind: ResultKind.Ok, Value: { } content })
            {
                JsonSerializer.Serialize(writer, content, json);
            }
            else
            {
                writer.WriteNullValue();
            }
            writer.WriteEndObject();
            if (++written % FlushEvery == 0)
            {
                await FlushAsync();
            }
        }
        writer.WriteEndArray();
        // The user's feed as stored (every app's items, archived ones too), a page at a time.
        writer.WriteStartArray("inbox");
        foreach (var archived in new[] { false, true })
        {
            string? after = null;
            do
            {
                var page = await inbox.ListAsync(userId, new Inbox.InboxQuery(Inbox.InboxFilter.All, archived, 100, after), DateTimeOffset.MinValue, cancellationToken);
                foreach (var item in page.Items)
                {
                    JsonSerializer.Serialize(writer, item, json);
                }
                await FlushAsync();
                after = page.Next;
            }
            while (after is not null);
        }
        writer.WriteEndArray();
        // A second pass over the index: the events are not held while the deliveries are written.
        writer.WriteStartArray("events");
        await foreach (var key in index.DeliveriesOfAsync(userId, cancellationToken))
        {
            foreach (var e in await tracking.ListForDeliveryAsync(key, cancellationToken))
            {
                WriteEvent(writer, key.Id, e);
            }
            await FlushAsync();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        await FlushAsync();
        return true;
    }

    private static void WriteEvent(Utf8JsonWriter writer, string deliveryId, TrackedEvent e)
    {
        writer.WriteStartObject();
        writer.WriteString("deliveryId", deliveryId);
        writer.WriteString("type", e.Type.ToName());
        writer.WriteString("at", e.At);
        writer.WriteString("source", e.Source);
        if (e.Detail is { } detail)
        {
            writer.WriteString("detail", detail);
        }
        writer.WriteEndObject();
    }
}
