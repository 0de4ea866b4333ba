using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Notify.Testing;

/// <summary>A request as a fake provider received it: what the real provider would have seen.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, string Protocol)
{
    /// <summary>When the fake had read the request: the benchmark times a notification from its POST to here.</summary>
    public DateTimeOffset ReceivedAt { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>A failure a fake provider is told to answer the next request(s) with.</summary>
public enum FakeFault
{
    None,
    ServerError,
    TooManyRequests,
    Timeout,
    ConnectionReset,
    InvalidRecipient,
    AuthFailure,
    BadRequest,
}

/// <summary>
/// An answer from the provider's front end (a CDN, load balancer or gateway) instead of the provider: during real
/// outages these answer 5xx with their own HTML page, or an empty body, never with the provider's JSON error.
/// </summary>
public sealed record FrontEndAnswer(int Status, string Body, string ContentType)
{
    /// <summary>An nginx-style error page, as gateways answer during an outage.</summary>
    public static FrontEndAnswer HtmlPage(int status) => new(
        status,
        $"<!DOCTYPE html>\n<html><head><title>{status} Service Unavailable</title></head>\n<body><center><h1>{status} Service Unavailable</h1></center><hr><center>nginx</center></body></html>\n",
        "text/html; charset=utf-8");

    /// <summary>A status line and no body at all.</summary>
    public static FrontEndAnswer Empty(int status) => new(status, "", "text/plain");
}

/// <summary>What the provider contract tests need of a fake, whatever it speaks (HTTP, SMTP).</summary>
public interface IFakeProvider : IAsyncDisposable
{
    /// <summary>How long a <see cref="FakeFault.Timeout"/> holds the request before answering.</summary>
    TimeSpan TimeoutDelay { get; set; }

    /// <summary>Retry-After seconds sent with <see cref="FakeFault.TooManyRequests"/> where the protocol has it.</summary>
    int RetryAfterSeconds { get; set; }

    void FailNext(FakeFault fault, int times = 1);
}

/// <summary>
/// Base of every HTTP fake provider: a Kestrel server on 127.0.0.1, port 0, that records each request and answers
/// from the subclass's routes. Faults are queued with <see cref="FailNext"/> and taken one per request.
/// </summary>
public abstract class FakeProviderServer : IFakeProvider
{
    private readonly ConcurrentQueue<FakeFault> _faults = new();
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly ConcurrentQueue<ReceivedRequest> _accepted = new();
    private readonly ConcurrentQueue<FrontEndAnswer> _frontEnd = new();
    private volatile Outage? _outage;
    private CancellationTokenSource _release = new();
    private int _held;
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    /// <summary>The requests answered 2xx: what the provider took (a send, where the route is a send).</summary>
    public IReadOnlyList<ReceivedRequest> Accepted => [.. _accepted];

    /// <summary>
    /// Scripted fault mode: while set, every request (after any queued <see cref="FailNext"/> faults) answers this
    /// fault, until it is set back to <see cref="FakeFault.None"/>: an outage with a start and an end, for the circuit
    /// breaker tests. <see cref="OnRequest"/> is called as each request arrives, before it is answered.
    /// </summary>
    public FakeFault OutageFault
    {
        get => _outage?.Fault ?? FakeFault.None;
        set => _outage = value == FakeFault.None ? null : new Outage(value);
    }

    /// <summary>Called with each request as it arrives (the breaker tests note the breaker's state then).</summary>
    public Action<ReceivedRequest>? OnRequest { get; set; }

    /// <summary>How long a <see cref="FakeFault.Timeout"/> holds the request before answering.</summary>
    public TimeSpan TimeoutDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Once this many requests were accepted, every request that arrives is held unanswered until
    /// <see cref="ReleaseHeld"/> or until its caller goes away (a process killed mid-send): a held request the caller
    /// gave up on is never accepted. The crash tests use it to kill a host while its sends are in flight.
    /// </summary>
    public int? HoldAfterAccepted { get; set; }

    /// <summary>Requests held by <see cref="HoldAfterAccepted"/> right now.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Stops holding: the held requests, and every one after, are answered as usual.</summary>
    public void ReleaseHeld()
    {
        HoldAfterAccepted = null;
        Interlocked.Exchange(ref _release, new CancellationTokenSource()).Cancel();
    }

    /// <summary>Retry-After seconds sent with <see cref="FakeFault.TooManyRequests"/> (and 503s where the provider does).</summary>
    public int RetryAfterSeconds { get; set; } = 7;

    public void FailNext(FakeFault fault, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _faults.Enqueue(fault);
        }
    }

    /// <summary>The next request(s) are answered by the front end with <paramref name="answer"/>, before the provider sees them.</summary>
    public void AnswerFromFrontEndNext(FrontEndAnswer answer, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _frontEnd.Enqueue(answer);
        }
    }

    /// <summary>While set, the front end answers every request with this (after any queued front-end answers): the provider is down behind it.</summary>
    public FrontEndAnswer? FrontEndOutage { get; set; }

    protected FakeFault TakeFault() => _faults.TryDequeue(out var fault) ? fault : _outage?.Fault ?? FakeFault.None;

    private sealed record Outage(FakeFault Fault);

    /// <summary>Starts the server; HTTPS with HTTP/2 when a certificate is given (APNs), else plain HTTP/1.1.</summary>
    public async Task StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(certificate);
            }
        }));
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync();
            context.Request.Body.Position = 0;
            var request = new ReceivedRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                body,
                context.Request.Protocol);
            _received.Enqueue(request);
            OnRequest?.Invoke(request);
            if (_frontEnd.TryDequeue(out var frontEnd) || (frontEnd = FrontEndOutage) is not null)
            {
                context.Response.StatusCode = frontEnd.Status;
                context.Response.ContentType = frontEnd.ContentType;
                await context.Response.WriteAsync(frontEnd.Body);
                return;
            }
            if (HoldAfterAccepted is { } limit && _accepted.Count >= limit && !await HoldAsync(context.RequestAborted))
            {
                return;
            }
            var fault = TakeFault();
            if (fault == FakeFault.Timeout)
            {
                await Task.Delay(TimeoutDelay, context.RequestAborted).ContinueWith(_ => { });
                return;
            }
            if (fault == FakeFault.ConnectionReset)
            {
                context.Abort();
                return;
            }
            context.Items[nameof(FakeFault)] = fault;
            await next(context);
            if (context.Response.StatusCode is >= 200 and < 300)
            {
                _accepted.Enqueue(request);
            }
        });
        MapRoutes(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>Waits for <see cref="ReleaseHeld"/> (true) or for the caller to go away (false).</summary>
    private async Task<bool> HoldAsync(CancellationToken aborted)
    {
        Interlocked.Increment(ref _held);
        try
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(aborted, Volatile.Read(ref _release).Token);
            await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return !aborted.IsCancellationRequested;
        }
        finally
        {
            Interlocked.Decrement(ref _held);
        }
    }

    /// <summary>The fault chosen for the current request by the recording middleware.</summary>
    protected static FakeFault FaultOf(HttpContext context) =>
        context.Items.TryGetValue(nameof(FakeFault), out var fault) && fault is FakeFault f ? f : FakeFault.None;

    protected abstract void MapRoutes(WebApplication app);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
