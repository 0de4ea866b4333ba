using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;

namespace Notify.Core.Apps;

/// <summary>
/// Which address a request came from, for the failed-authentication throttle. A forwarding header is believed only
/// when the connection comes from a configured proxy (the same rule as ASP.NET Core's ForwardedHeaders with
/// KnownIPNetworks): otherwise any caller could name its own address in it and step around the per-address limit.
/// Behind trusted proxies, the header is read from the right, skipping the proxies' own entries; the first entry
/// that is not a trusted proxy is the caller (entries to its left are whatever the caller sent).
/// </summary>
public static class ClientAddresses
{
    public static string Resolve(IPAddress? connection, string? forwarded, IReadOnlyList<IPNetwork> trustedProxies)
    {
        var address = Normalize(connection);
        if (address is null)
        {
            return "unknown";
        }
        if (string.IsNullOrEmpty(forwarded) || !IsTrusted(address, trustedProxies))
        {
            return address.ToString();
        }
        var entries = forwarded.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = entries.Length - 1; i >= 0; i--)
        {
            if (Parse(entries[i]) is not { } entry)
            {
                // An entry no proxy would write: stop at the last address a trusted hop vouched for.
                return address.ToString();
            }
            address = entry;
            if (!IsTrusted(entry, trustedProxies))
            {
                return entry.ToString();
            }
        }
        return address.ToString();
    }

    public static bool IsTrusted(IPAddress address, IReadOnlyList<IPNetwork> trustedProxies)
    {
        foreach (var network in trustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Each setting as a network: <c>10.0.0.0/8</c>, or one address (<c>127.0.0.1</c> is <c>127.0.0.1/32</c>), also
    /// written with a port as a proxy's endpoint often is (<c>127.0.0.1:80</c>, <c>[::1]:80</c>): the port is dropped,
    /// since a proxy is trusted by its address. An IPv6 address with a port needs the brackets (<c>::1:80</c> is an
    /// address of its own).
    /// </summary>
    public static IReadOnlyList<IPNetwork> Networks(IEnumerable<string> settings) =>
        [.. settings.Select(s => TryNetwork(s, out var network) ? network : throw new FormatException($"'{s}' is not an IP address or network."))];

    public static bool TryNetwork(string value, out IPNetwork network)
    {
        if (IPNetwork.TryParse(value, out network))
        {
            return true;
        }
        if (Parse(value.Trim()) is { } address)
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        return false;
    }

    /// <summary><c>1.2.3.4</c>, <c>1.2.3.4:5678</c>, <c>::1</c> and <c>[::1]:5678</c>; null when none of these.</summary>
    public static IPAddress? Parse(string value)
    {
        if (IPAddress.TryParse(value, out var address))
        {
            return Normalize(address);
        }
        if (IPEndPoint.TryParse(value, out var endpoint))
        {
            return Normalize(endpoint.Address);
        }
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && IPAddress.TryParse(value[..colon].Trim('[', ']'), out var withPort)
            ? Normalize(withPort)
            : null;
    }

    private static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}

/// <summary>Every item is an IP address or a network in CIDR notation.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class IpNetworksAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var bad = (value as IEnumerable<string> ?? []).Where(v => !ClientAddresses.TryNetwork(v, out _)).ToList();
        return bad.Count == 0
            ? ValidationResult.Success
            : new ValidationResult($"not an IP address (optionally with a port) or network: {string.Join(", ", bad.Select(b => $"'{b}'"))}", [validationContext.MemberName ?? "TrustedProxies"]);
    }
}
