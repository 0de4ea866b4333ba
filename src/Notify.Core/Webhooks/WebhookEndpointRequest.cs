namespace Notify.Core.Webhooks;

/// <summary>
/// The body of <c>POST /api/v1/webhooks/endpoints</c> and <c>PUT .../{id}</c>: <c>url</c> (absolute, <c>https</c>;
/// <c>http</c> only to a host <see cref="WebhookOptions.AllowHttpHosts"/> lists; at most
/// <see cref="WebhookOptions.MaxUrlLength"/> characters; no user name or password), <c>eventTypes</c> (at least one of
/// <see cref="WebhookEventTypes.Known"/> or <c>*</c>), optional <c>templates</c> and <c>channels</c> (only events of
/// these), <c>description</c>, <c>enabled</c> (default true). Where the host resolves is checked by
/// <see cref="WebhookService"/>.
/// </summary>
public sealed record WebhookEndpointRequest(
    Uri Url,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string>? Templates,
    IReadOnlyList<string>? Channels,
    string? Description,
    bool Enabled)
{
    public static WebhookEndpointRequest? Parse(JsonElement body, ValidationErrors errors, IReadOnlyCollection<string> allowHttpHosts)
    {
        var reader = JsonObjectReader.For(body, errors, "");
        var url = reader?.String("url", required: true, maxLength: WebhookOptions.MaxUrlLength);
        var eventTypes = ReadList(reader, "eventTypes", required: true, errors, (item, path) =>
        {
            if (!WebhookEventTypes.IsKnown(item))
            {
                errors.Add(path, $"must be '*' or one of {string.Join(", ", WebhookEventTypes.Known)}");
            }
        });
        var templates = ReadList(reader, "templates", required: false, errors, (item, path) =>
        {
            if (!Limits.TemplateName().IsMatch(item))
            {
                errors.Add(path, "must be a template name");
            }
        });
        var channels = ReadList(reader, "channels", required: false, errors, (item, path) =>
        {
            if (!ChannelNames.TryParse(item, out _))
            {
                errors.Add(path, "must be push, email or sms");
            }
        });
        var description = reader?.String("description", maxLength: WebhookOptions.MaxDescriptionLength);
        var enabled = reader?.Boolean("enabled");
        reader?.RejectUnknown();
        var uri = url is null ? null : CheckUrl(url, allowHttpHosts, errors);
        if (description is not null && description.Any(char.IsControl))
        {
            errors.Add("description", "must not contain control characters");
        }
        return errors.IsEmpty && uri is not null && eventTypes is not null
            ? new WebhookEndpointRequest(uri, eventTypes, templates, channels, description, enabled ?? true)
            : null;
    }

    private static Uri? CheckUrl(string url, IReadOnlyCollection<string> allowHttpHosts, ValidationErrors errors)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add("url", "must be an absolute URL such as https://example.com/hooks/notify");
            return null;
        }
        var httpAllowed = uri.Scheme == Uri.UriSchemeHttp && allowHttpHosts.Contains(uri.IdnHost, StringComparer.OrdinalIgnoreCase);
        if (uri.Scheme != Uri.UriSchemeHttps && !httpAllowed)
        {
            errors.Add("url", "must use https");
            return null;
        }
        if (uri.UserInfo.Length > 0)
        {
            errors.Add("url", "must not carry a user name or password");
            return null;
        }
        if (uri.Fragment.Length > 0)
        {
            errors.Add("url", "must not have a fragment");
            return null;
        }
        return uri;
    }

    /// <summary>A list of distinct strings, each checked by <paramref name="check"/>; null when absent (or invalid).</summary>
    private static List<string>? ReadList(JsonObjectReader? reader, string name, bool required, ValidationErrors errors, Action<string, string> check)
    {
        var items = reader?.Array(name, required);
        if (items is null)
        {
            return null;
        }
        if (items.Count == 0)
        {
            errors.Add(name, "must list at least one item");
            return null;
        }
        if (items.Count > WebhookOptions.MaxFilterItems)
        {
            errors.Add(name, $"may list at most {WebhookOptions.MaxFilterItems} items");
            return null;
        }
        var list = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"{name}[{i}]";
            var item = JsonObjectReader.ReadString(items[i], path, errors, required: true, maxLength: 100);
            if (item is null)
            {
                continue;
            }
            if (list.Contains(item, StringComparer.Ordinal))
            {
                errors.Add(path, "is listed twice");
                continue;
            }
            var before = errors.Count;
            check(item, path);
            if (errors.Count == before)
            {
                list.Add(item);
            }
        }
        return list;
    }
}

/// <summary>
/// The body of <c>POST .../{id}/replay</c>: <c>since</c> (every kept event from then on) or <c>ids</c> (the
/// <c>webhook-id</c>s of kept events), one of the two.
/// </summary>
public sealed record WebhookReplayRequest(DateTimeOffset? Since, IReadOnlyList<string>? Ids)
{
    public const int MaxIds = 100;

    public static WebhookReplayRequest? Parse(JsonElement body, ValidationErrors errors)
    {
        var reader = JsonObjectReader.For(body, errors, "");
        var sinceText = reader?.String("since", maxLength: 64);
        var items = reader?.Array("ids");
        reader?.RejectUnknown();
        DateTimeOffset? since = null;
        if (sinceText is not null)
        {
            if (DateTimeOffset.TryParse(sinceText, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                since = parsed;
            }
            else
            {
                errors.Add("since", "must be an ISO 8601 time such as 2026-12-07T00:00:00Z");
            }
        }
        List<string>? ids = null;
        if (items is not null)
        {
            if (items.Count is 0 or > MaxIds)
            {
                errors.Add("ids", $"must list 1 to {MaxIds} webhook ids");
            }
            else
            {
                ids = [];
                for (var i = 0; i < items.Count; i++)
                {
                    if (JsonObjectReader.ReadString(items[i], $"ids[{i}]", errors, required: true, maxLength: 64) is { } id)
                    {
                        ids.Add(id);
                    }
                }
            }
        }
        if (reader is not null && sinceText is null && items is null)
        {
            errors.Add("since", "give since or ids");
        }
        else if (sinceText is not null && items is not null)
        {
            errors.Add("ids", "give since or ids, not both");
        }
        return errors.IsEmpty ? new WebhookReplayRequest(since, ids) : null;
    }
}
