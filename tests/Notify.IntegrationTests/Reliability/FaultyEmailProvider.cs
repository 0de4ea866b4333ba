using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Notify.IntegrationTests.Reliability;

/// <summary>What the fake answers one send with.</summary>
public enum ProviderFault
{
    None,
    ServerError,
    TooManyRequests,
    Timeout,
    Slow,
    ConnectionReset,
}

/// <summary>
/// A SendGrid v3 mail-send endpoint on 127.0.0.1 (port 0) that fails on command. The real SendGrid provider
/// talks to it; it counts the deliveries it accepted (by the <c>deliveryId</c> custom arg), so a test can tell
/// lost from duplicated. A timed-out request still counts as accepted: the provider got it, the caller
/// did not hear back, which is exactly when a duplicate is unavoidable.
/// </summary>
public sealed class FaultyEmailProvider : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _accepted = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private int _requests;

    /// <summary>Decides the fault for the n-th request (1-based).</summary>
    public Func<int, ProviderFault> Plan { get; set; } = _ => ProviderFault.None;

    public TimeSpan TimeoutDelay { get; set; } = TimeSpan.FromSeconds(2);

    public int RetryAfterSeconds { get; set; } = 1;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public int Requests => Volatile.Read(ref _requests);

    public int FaultsInjected { get; private set; }

    public IReadOnlyDictionary<string, int> Accepted => _accepted;

    public int Duplicates => _accepted.Values.Sum(count => Math.Max(0, count - 1));

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/v3/mail/send", HandleAsync);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var n = Interlocked.Increment(ref _requests);
        if (!context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { errors = new[] { new { message = "The provided authorization grant is invalid, expired, or revoked", field = (string?)null, help = (string?)null } } });
            return;
        }
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var deliveryId = body.RootElement.GetProperty("personalizations")[0].GetProperty("custom_args").GetProperty("deliveryId").GetString()!;
        var fault = Plan(n);
        if (fault != ProviderFault.None)
        {
            FaultsInjected++;
        }
        switch (fault)
        {
            case ProviderFault.ServerError:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new { errors = new[] { new { message = "Internal server error", field = (string?)null, help = (string?)null } } });
                return;
            case ProviderFault.TooManyRequests:
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.Response.WriteAsJsonAsync(new { errors = new[] { new { message = "too many requests", field = (string?)null, help = (string?)null } } });
                return;
            case ProviderFault.ConnectionReset:
                context.Abort();
                return;
            case ProviderFault.Timeout:
                // The provider accepts the message but answers too late for the caller.
                _accepted.AddOrUpdate(deliveryId, 1, (_, c) => c + 1);
                await Task.Delay(TimeoutDelay, CancellationToken.None);
                return;
            case ProviderFault.Slow:
                await Task.Delay(TimeSpan.FromMilliseconds(300), CancellationToken.None);
                break;
        }
        _accepted.AddOrUpdate(deliveryId, 1, (_, c) => c + 1);
        context.Response.StatusCode = 202;
        context.Response.Headers["X-Message-Id"] = "fake-" + Guid.NewGuid().ToString("N")[..16];
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
