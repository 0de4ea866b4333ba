using Notify.Testing;

namespace Notify.Bench.Infrastructure;

/// <summary>Which providers the host delivers through.</summary>
public enum ProviderMode
{
    /// <summary>The real FCM, SendGrid and Twilio providers, each pointed at a local fake server (the default).</summary>
    Fakes,

    /// <summary>The Outbox for every channel (<c>--outbox</c>): one table insert per delivery instead of an HTTP call.</summary>
    Outbox,
}

/// <summary>
/// The channel tests' fake FCM (with its OAuth token endpoint), SendGrid and Twilio servers, each a Kestrel
/// server on 127.0.0.1, port 0, answering as the real API does (the files are linked from
/// tests/Notify.Channels.Tests). <see cref="Settings"/> points the host's real providers at them; each one then
/// registers because its section is present (<c>Notify:Providers:Fcm:ProjectId</c>,
/// <c>...:SendGrid:ApiKey</c>, <c>...:Twilio:AccountSid</c>) and the Outbox serves no channel. A provider call is
/// an HTTP request to a fake, not a storage operation: the host's counter does not see it.
/// </summary>
public sealed partial class ProviderFakes : IAsyncDisposable
{
    private readonly Dictionary<string, DateTimeOffset> _arrivals = new(StringComparer.Ordinal);
    private int _scanned;

    public const string SendGridApiKey = "SG.bench-key.local";
    public const string SendGridFromEmail = "bench@notify.test";
    public const string TwilioAccountSid = "AC0000000000000000000000000000beef";
    public const string TwilioAuthToken = "bench-auth-token";
    public const string TwilioFromNumber = "+14155550100";

    private const string FcmSendSuffix = "/messages:send";
    private const string SendGridSendPath = "/v3/mail/send";
    private const string TwilioSendSuffix = "/Messages.json";

    private readonly FcmFake _fcm;
    private readonly SendGridFake _sendGrid;
    private readonly TwilioFake _twilio;

    private ProviderFakes(FcmFake fcm, SendGridFake sendGrid, TwilioFake twilio)
    {
        _fcm = fcm;
        _sendGrid = sendGrid;
        _twilio = twilio;
    }

    public static async Task<ProviderFakes> StartAsync()
    {
        FcmFake? fcm = null;
        SendGridFake? sendGrid = null;
        TwilioFake? twilio = null;
        try
        {
            fcm = await FcmFake.StartNewAsync();
            sendGrid = new SendGridFake(SendGridApiKey);
            await sendGrid.StartAsync();
            twilio = new TwilioFake(TwilioAccountSid, TwilioAuthToken);
            await twilio.StartAsync();
            return new ProviderFakes(fcm, sendGrid, twilio);
        }
        catch
        {
            foreach (var fake in new FakeProviderServer?[] { fcm, sendGrid, twilio })
            {
                if (fake is not null)
                {
                    await fake.DisposeAsync();
                }
            }
            throw;
        }
    }

    /// <summary>The host settings for the three providers; the timeouts stay at the providers' defaults (10 s).</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Notify:Providers:Fcm:ProjectId"] = FcmFake.ProjectId,
        // A service account key whose token_uri is the fake's own /token: the provider signs its JWT assertion
        // with the key the fake generated and fetches access tokens there.
        ["Notify:Providers:Fcm:ServiceAccountJson"] = _fcm.ServiceAccountJson,
        ["Notify:Providers:Fcm:BaseUrl"] = _fcm.BaseAddress.ToString(),
        ["Notify:Providers:SendGrid:ApiKey"] = SendGridApiKey,
        ["Notify:Providers:SendGrid:FromEmail"] = SendGridFromEmail,
        ["Notify:Providers:SendGrid:BaseUrl"] = _sendGrid.BaseAddress.ToString(),
        ["Notify:Providers:Twilio:AccountSid"] = TwilioAccountSid,
        ["Notify:Providers:Twilio:AuthToken"] = TwilioAuthToken,
        ["Notify:Providers:Twilio:FromNumber"] = TwilioFromNumber,
        ["Notify:Providers:Twilio:BaseUrl"] = _twilio.BaseAddress.ToString(),
    };

    /// <summary>Where each fake listens, for the log.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"fake FCM {_fcm.BaseAddress}, fake SendGrid {_sendGrid.BaseAddress}, fake Twilio {_twilio.BaseAddress}");

    /// <summary>Send requests received so far by all three fakes (token requests excluded): one per delivery attempt.</summary>
    public long SendCalls() => FcmSends() + SendGridSends() + TwilioSends();

    /// <summary>The calls each fake received, beside the deliveries of its channel the benchmark requested.</summary>
    public IReadOnlyList<ProviderCalls> Calls(IReadOnlyDictionary<string, long> deliveriesByChannel) =>
    [
        new("fcm", "push", "POST /v1/projects/{project}/messages:send", FcmSends(), deliveriesByChannel.GetValueOrDefault("push"), _fcm.TokenRequests),
        new("sendgrid", "email", "POST /v3/mail/send", SendGridSends(), deliveriesByChannel.GetValueOrDefault("email"), 0),
        new("twilio", "sms", "POST /2010-04-01/Accounts/{sid}/Messages.json", TwilioSends(), deliveriesByChannel.GetValueOrDefault("sms"), 0),
    ];

    /// <summary>
    /// For each code found, when the first SendGrid send whose body contains it arrived. Only the sends received
    /// since the last call are scanned (the fake keeps them in arrival order), so polling stays cheap.
    /// </summary>
    public Dictionary<string, DateTimeOffset> FirstEmailContaining(IReadOnlyCollection<string> codes)
    {
        lock (_arrivals)
        {
            var received = _sendGrid.Received;
            for (; _scanned < received.Count; _scanned++)
            {
                var request = received[_scanned];
                if (request.Method != "POST" || request.Path != SendGridSendPath)
                {
                    continue;
                }
                foreach (System.Text.RegularExpressions.Match match in CodePattern().Matches(request.Body))
                {
                    _arrivals.TryAdd(match.Value, request.ReceivedAt);
                }
            }
            return codes.Where(_arrivals.ContainsKey).ToDictionary(c => c, c => _arrivals[c], StringComparer.Ordinal);
        }
    }

    /// <summary>The shape of the benchmark's latency codes: "qz" and 16 hex digits ("qz" is no hex).</summary>
    public static string NewCode() => "qz" + Guid.NewGuid().ToString("N")[..16];

    [System.Text.RegularExpressions.GeneratedRegex("qz[0-9a-f]{16}")]
    private static partial System.Text.RegularExpressions.Regex CodePattern();

    private long FcmSends() => _fcm.Received.Count(r => r.Method == "POST" && r.Path.EndsWith(FcmSendSuffix, StringComparison.Ordinal));

    /// <summary>The e-mails the fake SendGrid received so far.</summary>
    public long SendGridSends() => _sendGrid.Received.Count(r => r.Method == "POST" && r.Path == SendGridSendPath);

    private long TwilioSends() => _twilio.Received.Count(r => r.Method == "POST" && r.Path.EndsWith(TwilioSendSuffix, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await _twilio.DisposeAsync();
        await _sendGrid.DisposeAsync();
        await _fcm.DisposeAsync();
    }
}
