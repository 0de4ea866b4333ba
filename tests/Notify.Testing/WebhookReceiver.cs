using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Notify.Testing;

/// <summary>How the fake webhook receiver answers.</summary>
public enum ReceiverMode
{
    Ok,
    ServerError,

    /// <summary>Holds the request without answering until the sender gives up (its timeout).</summary>
    Hang,
    Gone,
}

/// <summary>
/// A service that receives Notify's webhooks: Kestrel on 127.0.0.1, port 0, <c>POST /hooks</c>. Records every
/// request and answers as <see cref="Mode"/> says; <see cref="Accepted"/> holds those it answered 2xx.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly ConcurrentQueue<ReceivedRequest> _accepted = new();
    private WebApplication? _app;

    private int _count;

    public ReceiverMode Mode { get; set; }

    /// <summary>When set, the mode for the n-th request (1-based), in place of <see cref="Mode"/>: a fault plan by count, not by time.</summary>
    public Func<int, ReceiverMode>? Plan { get; set; }

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public Uri Url => new(BaseAddress, "/hooks");

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    public IReadOnlyList<ReceivedRequest> Accepted => [.. _accepted];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/hooks", (Delegate)HandleAsync);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new ReceivedRequest(
            context.Request.Method,
            context.Request.Path,
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            body,
            context.Request.Protocol);
        _received.Enqueue(request);
        var n = Interlocked.Increment(ref _count);
        switch (Plan?.Invoke(n) ?? Mode)
        {
            case ReceiverMode.ServerError:
                return Results.Text("receiver broken", statusCode: 500);
            case ReceiverMode.Gone:
                return Results.Text("no such hook", statusCode: 410);
            case ReceiverMode.Hang:
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Results.StatusCode(503);
            default:
                _accepted.Enqueue(request);
                return Results.Text("ok");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
