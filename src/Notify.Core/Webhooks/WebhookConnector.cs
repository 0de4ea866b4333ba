using System.Net;
using System.Net.Sockets;

namespace Notify.Core.Webhooks;

/// <summary>A connection the SSRF rule refused: the host resolved only to refused addresses, or connected to one.</summary>
public sealed class WebhookAddressRefusedException(string message) : IOException(message);

/// <summary>
/// The webhook HTTP client's connections: resolved here and checked against <see cref="AddressRules"/> before
/// connecting and again against the address actually connected, so a name that resolves to an allowed address at
/// registration and to a refused one later (DNS rebinding) reaches nothing. Redirects are not followed.
/// </summary>
public static class WebhookConnector
{
    public const string HttpClientName = "notify-webhooks";

    public static SocketsHttpHandler Handler(Func<AddressRules> rules) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(rules(), context.DnsEndPoint, cancellationToken),
    };

    public static async ValueTask<Stream> ConnectAsync(AddressRules rules, DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var addresses = await AddressRules.ResolveAsync(endPoint.Host, cancellationToken);
        var allowed = addresses.Where(a => !rules.IsRefused(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new WebhookAddressRefusedException(addresses.Count == 0
                ? "The endpoint's host does not resolve."
                : "The endpoint's host resolves only to addresses webhooks are not sent to.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endPoint.Port, cancellationToken);
            if (socket.RemoteEndPoint is not IPEndPoint connected || rules.IsRefused(connected.Address))
            {
                throw new WebhookAddressRefusedException("The connection reached an address webhooks are not sent to.");
            }
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
