using System.Net;
using System.Net.Sockets;

namespace Notify.Core.Webhooks;

/// <summary>
/// The server-side request forgery rule: no webhook goes to an address of this network or of the cloud platform.
/// Refused: this host (<c>0.0.0.0/8</c>, <c>127.0.0.0/8</c>, <c>::1</c>, <c>::/128</c>), private networks
/// (<c>10/8</c>, <c>172.16/12</c>, <c>192.168/16</c>, <c>fc00::/7</c>), link-local (<c>169.254/16</c>,
/// <c>fe80::/10</c>, which holds the instance metadata service), shared address space (<c>100.64/10</c>), Azure's
/// platform address <c>168.63.129.16</c>, multicast and reserved ranges, and every IPv4-mapped
/// (<c>::ffff:a.b.c.d</c>) or IPv4-compatible (<c>::a.b.c.d</c>) form of them. Checked at registration against every
/// address the host resolves to, and at connect time against the address actually connected (a name that
/// resolves elsewhere later, DNS rebinding, is refused then). <see cref="WebhookOptions.AllowedNetworks"/> exempts
/// networks (local use and tests).
/// </summary>
public sealed class AddressRules
{
    private static readonly IPNetwork[] Refused =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16",
            "168.63.129.16/32", "192.0.0.0/24", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
        }.Select(n => IPNetwork.Parse(n)),
    ];

    private readonly IReadOnlyList<IPNetwork> _allowed;

    public AddressRules(IEnumerable<string> allowedNetworks)
    {
        var allowed = new List<IPNetwork>();
        foreach (var entry in allowedNetworks)
        {
            if (TryParseNetwork(entry, out var network))
            {
                allowed.Add(network);
            }
        }
        _allowed = allowed;
    }

    /// <summary>An address (<c>127.0.0.1</c>, a /32) or a CIDR network (<c>10.1.0.0/16</c>).</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network)
    {
        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }
        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        return false;
    }

    /// <summary>True when a webhook may not be sent to <paramref name="address"/>.</summary>
    public bool IsRefused(IPAddress address)
    {
        var plain = Normalize(address);
        if (_allowed.Any(n => n.Contains(plain) || n.Contains(address)))
        {
            return false;
        }
        return Refused.Any(n => n.Contains(plain));
    }

    /// <summary>The IPv4 address inside an IPv4-mapped or IPv4-compatible IPv6 address; otherwise the address itself.</summary>
    private static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            // ::a.b.c.d (deprecated IPv4-compatible): the first 96 bits zero, and not :: or ::1 themselves.
            if (bytes[..12].IndexOfAnyExcept((byte)0) < 0 && (bytes[12] | bytes[13]) != 0)
            {
                return new IPAddress(bytes[12..]);
            }
        }
        return address;
    }

    /// <summary>
    /// Every address <paramref name="host"/> stands for: itself when it is a literal address, else what DNS answers
    /// (empty when nothing resolves).
    /// </summary>
    public static async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(literal, out var address))
        {
            return [address];
        }
        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
