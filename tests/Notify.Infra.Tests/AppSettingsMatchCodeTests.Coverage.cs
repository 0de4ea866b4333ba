using System.ComponentModel;

namespace Notify.Infra.Tests;

/// <summary>
/// The other direction: every setting the code binds is one the template can write (a parameter), or is listed
/// here as deliberately left out, with the reason. A new options property fails this test until it is either a
/// parameter or a line below, so a push can never erase a setting an operator had to set by hand.
/// </summary>
public sealed partial class AppSettingsMatchCodeTests
{
    // Names as the code binds them, "{key}" for a dictionary key and "{index}" for a list index. An entry ending in
    // "*" covers every setting under that prefix.
    private static readonly Dictionary<string, string> LeftOut = new(StringComparer.Ordinal)
    {
        ["Storage__ConnectionString"] = "Azurite and local runs; in Azure storage is reached with the managed identity (Storage__credential).",
        ["Storage__MessageEncoding"] = "must match the Functions queue extension's encoding (host.json); not an operator's choice.",
        ["Storage__NamePrefix"] = "test isolation in one Azurite; one deployment owns its storage account.",
        ["Notify__Providers__Fcm__BaseUrl"] = "provider endpoints: tests point them at fakes; production uses the provider's.",
        ["Notify__Providers__Apns__BaseUrl"] = "provider endpoints: tests point them at fakes; production uses the provider's.",
        ["Notify__Providers__SendGrid__BaseUrl"] = "provider endpoints: tests point them at fakes; production uses the provider's.",
        ["Notify__Providers__Twilio__BaseUrl"] = "provider endpoints: tests point them at fakes; production uses the provider's.",
        ["Notify__Providers__Vonage__BaseUrl"] = "provider endpoints: tests point them at fakes; production uses the provider's.",
        ["Notify__Monitoring__ConsoleExporter"] = "metrics printed to the console: local runs only.",
        ["Notify__Console__Oidc__RedirectUri"] = "built from the request's host and scheme (https behind the front end); set by hand only behind a proxy that rewrites the host.",
        ["Notify__Console__Oidc__GroupRoles__{key}"] = "group id -> role map for consoleOidcRolesClaim=groups: one setting per group, added by hand (docs/deploy.md) since group ids are the tenant's, not the template's.",
        // Tuning with documented defaults that hold for any deployment: changed in a reviewed commit (the app's
        // defaults, host.json), not per environment. A value set by hand in the portal is erased by the next push.
        ["Notify__DefaultOptIn__*"] = "who receives a channel without having chosen: a product decision, not an environment's.",
        ["Notify__Webhooks__MaxEndpointsPerApp"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__SecretOverlap"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__Timeout"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__RetrySchedule"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__Jitter"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__DisableAfter"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__BreakerMinimumThroughput"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__BreakerSamplingDuration"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__BreakDuration"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__EndpointCacheDuration"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__KeepFor"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__MaxReplay"] = "outbound webhook tuning with documented defaults (docs/webhooks.md).",
        ["Notify__Webhooks__AllowHttpHosts__*"] = "http endpoints and private networks allowed for outbound webhooks: local runs and tests only.",
        ["Notify__Webhooks__AllowedNetworks__*"] = "http endpoints and private networks allowed for outbound webhooks: local runs and tests only.",
        ["Notify__Broadcasts__PageSize"] = "the fan-out's page size: tuning with a documented default (docs/topics.md).",
        ["Notify__Categories__CacheDuration"] = "how long category definitions are cached: tuning with a documented default (docs/preferences.md).",
        // Not yet parameters: the inbox (docs/inbox.md) is new; an operator who turns on end users' tokens sets the key by
        // hand (Key Vault) until the template writes it (docs/status.md lists it).
        ["Notify__Inbox__*"] = "NOT YET a template parameter (docs/status.md): the inbox token signing key (Key Vault) and the feed's bounds are set by hand.",
        ["Notify__RateLimits__Default__Inbox"] = "the inbox's hourly limit per user (default 50, docs/inbox.md): tuning, not yet a template parameter.",
        ["Notify__RateLimits__Apps__{key}__Inbox"] = "as above, per app.",
        ["Notify__Delivery__Lease"] = "tied to host.json's visibilityTimeout and maxDequeueCount, which the template does not set either.",
        ["Notify__Delivery__TimeToLive__*"] = "per-channel freshness defaults; tuning, changed in code.",
        ["Notify__Sweeper__*"] = "recovery tuning (grace periods, batch sizes); changed in code with its tests.",
        ["Notify__Limits__*"] = "the API's input limits are part of its contract (docs/openapi); changed in code with the docs.",
        ["Notify__Templates__*"] = "template size limits: part of the API's contract, as above.",
        ["Notify__UserCache__*"] = "an in-memory cache's size and lifetime; tuning.",
        ["Notify__Scheduling__*"] = "scheduling horizon and sweep sizes; tuning.",
        ["Notify__Monitoring__Interval"] = "the queue sampler's period; the queue-age alert is tuned against its default.",
        ["Notify__Monitoring__Backlog__*"] = "the app's own backlog alert thresholds; tuning (the Azure alert rules have parameters).",
        ["Notify__Monitoring__PoisonBacklog__*"] = "as above, for the poison queues.",
        ["Notify__Retention__*"] = "how long each kind of data is kept and the rows per run: documented defaults (docs/data.md#retention), a data-protection decision changed in a reviewed commit.",
        ["Notify__Alerts__DedupeWindow"] = "alert de-duplication; tuning.",
        ["Notify__Alerts__WebhookTimeout"] = "alert webhook timeout; tuning.",
        ["Notify__FastLane__*"] = "the in-process fast path; tuning, measured by bench/Notify.Bench.",
        ["Notify__BulkLane__*"] = "the bulk lane's per-channel rate for broadcast deliveries (docs/topics.md); tuning against the provider's contract, measured by bench/Notify.Bench. NOT YET a template parameter.",
        ["Notify__StatusCounts__*"] = "console counters' flush; tuning.",
        ["Notify__Breakers__*"] = "provider circuit breakers; tuning, measured by the fault tests.",
        ["Notify__Providers__Fcm__Timeout"] = "one provider call's limit; tuning.",
        ["Notify__Providers__Apns__Timeout"] = "one provider call's limit; tuning.",
        ["Notify__Providers__Apns__TimeToLive"] = "APNs expiry; follows the channel's time to live.",
        ["Notify__Providers__SendGrid__Timeout"] = "one provider call's limit; tuning.",
        ["Notify__Providers__Smtp__Timeout"] = "one provider call's limit; tuning.",
        ["Notify__Providers__Twilio__Timeout"] = "one provider call's limit; tuning.",
        ["Notify__Providers__Vonage__Timeout"] = "one provider call's limit; tuning.",
        ["Notify__Security__AppCacheDuration"] = "how soon a revocation reaches other instances; a security trade-off, changed in code.",
        ["Notify__Security__LastUsedInterval"] = "write amplification of last-used stamps; tuning.",
        ["Notify__Security__RotationGracePeriod"] = "the default grace of a rotation; each rotation can name its own.",
        ["Notify__Security__ClientAddressHeader"] = "the forwarding header's name: X-Forwarded-For is what the Functions host writes; trustedProxies is the parameter.",
        ["Notify__Security__FailedAuth__*"] = "failed-authentication throttle thresholds; security tuning, changed in code with its tests.",
    };

    [Fact]
    public void Every_setting_the_code_binds_is_a_template_parameter_or_deliberately_left_out()
    {
        var file = ReadFile();
        var writable = file.Required.Concat(file.Optional).Select(Pattern).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var bound = BindableSettings();

        bool IsLeftOut(string name) => LeftOut.Keys.Any(l => l.EndsWith('*') ? name.StartsWith(l[..^1], StringComparison.OrdinalIgnoreCase) : string.Equals(l, name, StringComparison.OrdinalIgnoreCase));

        Assert.Contains("Notify__Security__TrustedProxies__{index}", bound);
        Assert.Contains("Notify__RateLimits__Apps__{key}__Push", bound);
        var missing = bound.Where(n => !writable.Contains(n) && !IsLeftOut(n)).ToList();
        Assert.True(missing.Count == 0, "bound by the code, but neither a template parameter nor in LeftOut:\n" + string.Join('\n', missing));
        // A left-out entry names something the code binds, and something the template does not write.
        Assert.All(LeftOut.Keys, l => Assert.True(
            bound.Any(n => l.EndsWith('*') ? n.StartsWith(l[..^1], StringComparison.Ordinal) : n == l),
            $"LeftOut names {l}, which the code does not bind"));
        Assert.All(writable, w => Assert.False(IsLeftOut(w), $"{w} is written by the template and listed as left out"));
        Assert.All(LeftOut.Values, reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
    }

    /// <summary>Every leaf setting of every options class (see OptionsSections), as an app setting name.</summary>
    private static HashSet<string> BindableSettings()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var sections = OptionsSections();
        foreach (var (section, type) in sections)
        {
            Collect(section.Replace(":", "__", StringComparison.Ordinal), type, names, sections, depth: 0);
        }
        return names;
    }

    private static void Collect(string prefix, Type type, HashSet<string> names, Dictionary<string, Type> sections, int depth)
    {
        if (depth > 6)
        {
            return;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }
            var name = $"{prefix}__{property.Name}";
            // A nested section with its own options class is collected under that class.
            if (sections.ContainsKey(name.Replace("__", ":", StringComparison.Ordinal)))
            {
                continue;
            }
            CollectValue(name, Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, property.SetMethod is { IsPublic: true }, names, sections, depth);
        }
    }

    private static void CollectValue(string name, Type type, bool settable, HashSet<string> names, Dictionary<string, Type> sections, int depth)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            CollectValue($"{name}__{{key}}", type.GetGenericArguments()[1], true, names, sections, depth + 1);
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            CollectValue($"{name}__{{index}}", type.GetGenericArguments()[0], true, names, sections, depth + 1);
        }
        else if (TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string)))
        {
            if (settable)
            {
                names.Add(name);
            }
        }
        else if (type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("Notify", StringComparison.Ordinal) == true)
        {
            Collect(name, type, names, sections, depth + 1);
        }
    }

    /// <summary>An app setting name with its list indexes as "{index}": Notify__Security__TrustedProxies__{index}.</summary>
    private static string Pattern(string setting) => ListIndex().Replace(AppKeyPattern(setting), "__{index}");

    [GeneratedRegex(@"__\d+(?=__|$)")]
    private static partial Regex ListIndex();
}
