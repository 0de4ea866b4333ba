using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Notify.Channels.Tests.Smtp;

/// <summary>A message as the fake relay took it: envelope, the authenticated user, and the parsed MIME message.</summary>
public sealed record ReceivedMail(string? User, string From, IReadOnlyList<string> To, MimeMessage Message);

/// <summary>Where a scripted reply is given.</summary>
public enum SmtpReplyAt
{
    MailFrom,
    RcptTo,
    Data,
}

/// <summary>
/// A real SMTP server (the SmtpServer package) on 127.0.0.1, port 0, in the test process: it records each message it
/// accepts and answers the contract's faults and scripted reply codes at the stage a relay would.
/// </summary>
public sealed class SmtpFake(string userName, string password) : IFakeProvider
{
    private const string FaultKey = "notify-fault";

    private readonly ConcurrentQueue<FakeFault> _faults = new();
    private readonly ConcurrentQueue<(SmtpReplyAt At, int Code, string Text)> _scripted = new();
    private readonly ConcurrentQueue<ReceivedMail> _received = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public int Port { get; private set; }

    public IReadOnlyList<ReceivedMail> Received => [.. _received];

    /// <summary>Sessions that reached MAIL FROM (accepted or not): how many times the relay was asked to take a message.</summary>
    public int Offers => _offers;

    private int _offers;

    public TimeSpan TimeoutDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>SMTP has no Retry-After; kept for the contract.</summary>
    public int RetryAfterSeconds { get; set; }

    public void FailNext(FakeFault fault, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _faults.Enqueue(fault);
        }
    }

    /// <summary>Answers the next message with <paramref name="code"/> at <paramref name="at"/>.</summary>
    public void RespondNext(SmtpReplyAt at, int code, string text) => _scripted.Enqueue((at, code, text));

    public async Task StartAsync()
    {
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => started.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);
        var options = new SmtpServerOptionsBuilder()
            .ServerName("fake-relay.notify.test")
            .Endpoint(endpoint => endpoint
                .Endpoint(new IPEndPoint(IPAddress.Loopback, 0))
                .AllowUnsecureAuthentication(true)
                .AuthenticationRequired(false))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new Authenticator(this));
        services.Add(new Filter(this));
        services.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
        Port = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        _stop.Dispose();
    }

    private FakeFault TakeFault() => _faults.TryDequeue(out var fault) ? fault : FakeFault.None;

    /// <summary>The session's fault: taken once per session, at AUTH or else at MAIL FROM.</summary>
    private FakeFault FaultOf(ISessionContext context)
    {
        if (!context.Properties.TryGetValue(FaultKey, out var fault))
        {
            fault = TakeFault();
            context.Properties[FaultKey] = fault;
        }
        return (FakeFault)fault;
    }

    private bool TakeScripted(SmtpReplyAt at, out SmtpResponse response)
    {
        if (_scripted.TryPeek(out var next) && next.At == at && _scripted.TryDequeue(out next))
        {
            response = new SmtpResponse((SmtpReplyCode)next.Code, next.Text);
            return true;
        }
        response = SmtpResponse.Ok;
        return false;
    }

    private static SmtpResponseException Reply(int code, string text) => new(new SmtpResponse((SmtpReplyCode)code, text));

    private sealed class Authenticator(SmtpFake fake) : UserAuthenticator
    {
        public override Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
        {
            context.Properties["user"] = user;
            return Task.FromResult(fake.FaultOf(context) != FakeFault.AuthFailure && user == fake.UserNameExpected && password == fake.PasswordExpected);
        }
    }

    private string UserNameExpected => userName;

    private string PasswordExpected => password;

    private sealed class Filter(SmtpFake fake) : MailboxFilter
    {
        public override Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref fake._offers);
            switch (fake.FaultOf(context))
            {
                case FakeFault.ServerError:
                    throw Reply(451, "4.3.0 Requested action aborted: local error in processing");
                case FakeFault.TooManyRequests:
                    throw Reply(450, "4.7.1 Too many messages, slow down");
                case FakeFault.ConnectionReset:
                    // Not an SMTP answer: the server drops the session, as a relay that crashed or was cut off.
                    throw new IOException("Connection reset by the fake relay.");
            }
            if (fake.TakeScripted(SmtpReplyAt.MailFrom, out var scripted))
            {
                throw new SmtpResponseException(scripted);
            }
            return Task.FromResult(true);
        }

        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
        {
            if (fake.FaultOf(context) == FakeFault.InvalidRecipient)
            {
                throw Reply(550, $"5.1.1 <{to.AsAddress()}>: Recipient address rejected: User unknown");
            }
            if (fake.TakeScripted(SmtpReplyAt.RcptTo, out var scripted))
            {
                throw new SmtpResponseException(scripted);
            }
            return Task.FromResult(true);
        }
    }

    private sealed class Store(SmtpFake fake) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            switch (fake.FaultOf(context))
            {
                case FakeFault.BadRequest:
                    return new SmtpResponse((SmtpReplyCode)554, "5.6.0 Message content rejected");
                case FakeFault.Timeout:
                    // The data is in; the reply that would say so never comes in time: an unknown outcome.
                    await Task.Delay(fake.TimeoutDelay, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                    return SmtpResponse.TransactionFailed;
            }
            if (fake.TakeScripted(SmtpReplyAt.Data, out var scripted))
            {
                return scripted;
            }
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            context.Properties.TryGetValue("user", out var user);
            fake._received.Enqueue(new ReceivedMail(user as string, transaction.From.AsAddress(), [.. transaction.To.Select(t => t.AsAddress())], message));
            return SmtpResponse.Ok;
        }
    }
}
