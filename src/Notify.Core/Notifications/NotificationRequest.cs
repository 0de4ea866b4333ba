using System.Security.Cryptography;
using System.Text;
using Notify.Core.Digests;

namespace Notify.Core.Notifications;

/// <summary>"Notify these users with this template": the body of <c>POST /api/v1/notifications</c>.</summary>
public sealed record NotificationRequest(
    string EventId,
    string Template,
    IReadOnlyList<string> Recipients,
    IReadOnlyList<Channel>? Channels,
    string DataJson,
    Priority Priority)
{
    /// <summary>When the deliveries go out; null: at once.</summary>
    public Scheduling.SendAt? SendAt { get; init; }

    /// <summary>Gather this request with others of the same key into one delivery per user and channel (see <see cref="DigestSpec"/>).</summary>
    public DigestSpec? Digest { get; init; }

    /// <summary>A broadcast: the recipients are a topic's subscribers (<see cref="Recipients"/> is then empty; docs/topics.md).</summary>
    public Topics.TopicRecipients? Topic { get; init; }

    /// <summary>"If unread, then": channels that go out later unless the inbox item is read first (docs/inbox.md).</summary>
    public Inbox.FallbackSpec? Fallback { get; init; }

    /// <summary>Fingerprint of the request's meaning: the same eventId with another body is a conflict.</summary>
    public string BodyHash()
    {
        var canonical = JsonSerializer.Serialize(new
        {
            EventId,
            Template,
            Recipients,
            Channels = Channels?.Select(c => c.ToName()),
            Data = DataJson,
            Priority = Priority == Priority.High ? "high" : "normal",
        });
        // Only a digest request hashes its digest, so every request stored before digests keeps its hash.
        if (Digest is { } digest)
        {
            canonical += JsonSerializer.Serialize(new { DigestKey = digest.Key, DigestWindow = DigestSpec.Format(digest.Window) });
        }
        // Only a scheduled request adds its time, so the fingerprints of every other request stay what they were.
        if (SendAt is not null)
        {
            canonical += "\nsendAt:" + SendAt.Canonical;
        }
        // Only a request with a fallback adds it, as above.
        if (Fallback is { } fallback)
        {
            canonical += "\nfallback:" + fallback.Canonical;
        }
        // Only a broadcast adds its topic, as above.
        if (Topic is { } topic)
        {
            canonical += "\ntopic:" + JsonSerializer.Serialize(new { topic.Key, topic.Exclude });
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static NotificationRequest? Parse(JsonElement body, ValidationErrors errors, Apps.LimitOptions? limits = null)
    {
        limits ??= Apps.LimitOptions.Default;
        var reader = JsonObjectReader.For(body, errors, "");
        if (reader is null)
        {
            return null;
        }
        var eventId = reader.String("eventId", required: true, maxLength: Limits.MaxEventIdLength, pattern: Limits.EventId(), patternHint: "must be 1-128 characters of letters, digits and '._:-'");
        var template = reader.String("template", required: true, maxLength: Limits.MaxTemplateNameLength, pattern: Limits.TemplateName(), patternHint: "must be a template name: lower-case letters, digits, '.', '_' and '-'");
        var topic = reader.Raw("recipients") is { ValueKind: JsonValueKind.Object } ? Topics.TopicRecipients.Read(reader, errors) : null;
        var recipients = topic is null ? ReadRecipients(reader, errors, limits.MaxRecipients) : [];
        var channels = ReadChannels(reader, errors);
        string data = "{}";
        if (reader.Raw("data") is { } rawData)
        {
            if (rawData.ValueKind != JsonValueKind.Object)
            {
                errors.Add("data", "must be a JSON object");
            }
            else
            {
                data = JsonSerializer.Serialize(rawData);
                if (Encoding.UTF8.GetByteCount(data) > limits.MaxDataBytes)
                {
                    errors.Add("data", $"must be at most {limits.MaxDataBytes} bytes of JSON");
                }
            }
        }
        var priority = Priority.Normal;
        if (reader.String("priority") is { } priorityName)
        {
            switch (priorityName)
            {
                case "normal": priority = Priority.Normal; break;
                case "high": priority = Priority.High; break;
                default: errors.Add("priority", "must be 'normal' or 'high'"); break;
            }
        }
        var sendAt = Scheduling.SendAt.Read(reader, errors);
        var digest = DigestSpec.Read(reader, errors, limits.MinDigestWindow);
        var fallback = Inbox.FallbackSpec.Read(reader, errors);
        if (fallback is not null && channels is not null)
        {
            fallback.Check(channels, errors);
        }
        if (digest is not null && priority == Priority.High)
        {
            // Urgent means now; a window means later. Refused rather than silently choosing one.
            errors.Add("digest", "cannot be combined with \"priority\": \"high\": an urgent notification is sent at once, never held in a digest");
        }
        if (digest is not null && sendAt is not null)
        {
            // A window opens when its first request arrives; a send time would make it open later, per recipient.
            errors.Add("digest", "cannot be combined with \"sendAt\": a digest is sent when its window closes");
        }
        reader.RejectUnknown();
        return errors.IsEmpty
            ? new NotificationRequest(eventId!, template!, recipients!, channels, data, priority) { SendAt = sendAt, Digest = digest, Topic = topic, Fallback = fallback }
            : null;
    }

    private static List<string>? ReadRecipients(JsonObjectReader reader, ValidationErrors errors, int maxRecipients)
    {
        var items = reader.Array("recipients", required: true);
        if (items is null)
        {
            return null;
        }
        if (items.Count == 0)
        {
            errors.Add("recipients", "must name at least one user");
            return null;
        }
        if (items.Count > maxRecipients)
        {
            errors.Add("recipients", $"must name at most {maxRecipients} users per request");
            return null;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var id = JsonObjectReader.ReadString(items[i], $"recipients[{i}]", errors, required: true, maxLength: Limits.MaxUserIdLength, pattern: Limits.UserId(), patternHint: "must be a user id: 1-128 characters of letters, digits and '._:@+-'");
            if (id is null)
            {
                continue;
            }
            if (!seen.Add(id))
            {
                errors.Add($"recipients[{i}]", $"'{id}' is listed more than once");
                continue;
            }
            result.Add(id);
        }
        return result;
    }

    private static List<Channel>? ReadChannels(JsonObjectReader reader, ValidationErrors errors)
    {
        var items = reader.Array("channels");
        if (items is null)
        {
            return null;
        }
        if (items.Count == 0)
        {
            errors.Add("channels", "must name at least one channel, or be left out to use every channel the template defines");
            return null;
        }
        var result = new List<Channel>();
        for (var i = 0; i < items.Count; i++)
        {
            var name = JsonObjectReader.ReadString(items[i], $"channels[{i}]", errors, required: true);
            if (name is null)
            {
                continue;
            }
            if (!ChannelNames.TryParse(name, out var channel))
            {
                errors.Add($"channels[{i}]", "must be 'push', 'email', 'sms' or 'inbox'");
            }
            else if (result.Contains(channel))
            {
                errors.Add($"channels[{i}]", $"'{name}' is listed more than once");
            }
            else
            {
                result.Add(channel);
            }
        }
        return result;
    }
}
