using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Notify.Testing;

/// <summary>
/// Twilio's <c>POST /2010-04-01/Accounts/{AccountSid}/Messages.json</c>: form-encoded, Basic auth
/// <c>AccountSid:AuthToken</c>, 201 with the Message resource, and the <c>{"code","message","more_info","status"}</c>
/// envelope for failures. Like Twilio's test credentials, it answers the magic numbers +1500555000x with their errors.
/// </summary>
public sealed class TwilioFake(string accountSid, string authToken) : FakeProviderServer
{
    /// <summary>Twilio's magic test numbers: +15005550001 invalid, ...0002 unroutable, ...0004 opted out (STOP), ...0009 not a mobile.</summary>
    public const string InvalidNumber = "+15005550001";
    public const string UnroutableNumber = "+15005550002";
    public const string UnsubscribedNumber = "+15005550004";
    public const string LandlineNumber = "+15005550009";

    private readonly ConcurrentQueue<(int Status, string Body, string ContentType)> _scripted = new();
    private readonly ConcurrentQueue<string> _issuedSids = new();

    public IReadOnlyList<string> IssuedSids => [.. _issuedSids];

    /// <summary>The form fields of each message create request received.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Forms => [.. Received
        .Where(r => r.Method == "POST" && r.Path.EndsWith("/Messages.json", StringComparison.Ordinal))
        .Select(r => (IReadOnlyDictionary<string, string>)Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(r.Body).ToDictionary(p => p.Key, p => p.Value.ToString()))];

    /// <summary>Answers the next create (after the auth check) with exactly this, for answers the faults do not cover.</summary>
    public void RespondNext(int status, string body, string contentType = "application/json") => _scripted.Enqueue((status, body, contentType));

    public static string Error(int code, string message, int status) => new JsonObject
    {
        ["code"] = code,
        ["message"] = message,
        ["more_info"] = $"https://www.twilio.com/docs/errors/{code}",
        ["status"] = status,
    }.ToJsonString();

    protected override void MapRoutes(WebApplication app)
    {
        app.MapPost("/2010-04-01/Accounts/{sid}/Messages.json", async (HttpContext context, string sid) =>
        {
            var fault = FaultOf(context);
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{accountSid}:{authToken}"));
            if (fault == FakeFault.AuthFailure || context.Request.Headers.Authorization != expected)
            {
                await WriteAsync(context, 401, Error(20003, "Authenticate", 401));
                return;
            }
            if (sid != accountSid)
            {
                await WriteAsync(context, 404, Error(20404, $"The requested resource /2010-04-01/Accounts/{sid}/Messages.json was not found", 404));
                return;
            }
            var form = await context.Request.ReadFormAsync();
            string? Field(string name) => form.TryGetValue(name, out var value) && value.Count > 0 && value[0] is { Length: > 0 } text ? text : null;
            var to = Field("To");
            switch (fault)
            {
                case FakeFault.ServerError:
                    await WriteAsync(context, 500, Error(20500, "Internal Server Error", 500));
                    return;
                case FakeFault.TooManyRequests:
                    context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    await WriteAsync(context, 429, Error(20429, "Too Many Requests", 429));
                    return;
                case FakeFault.InvalidRecipient:
                    await WriteAsync(context, 400, Error(21211, $"Invalid 'To' Phone Number: {to}", 400));
                    return;
                case FakeFault.BadRequest:
                    await WriteAsync(context, 400, Error(21617, "The concatenated message body exceeds the 1600 character limit.", 400));
                    return;
            }
            if (_scripted.TryDequeue(out var scripted))
            {
                await WriteAsync(context, scripted.Status, scripted.Body, scripted.ContentType);
                return;
            }
            var (from, service, body) = (Field("From"), Field("MessagingServiceSid"), Field("Body"));
            var error = (to, from ?? service, body) switch
            {
                (null, _, _) => Error(21604, "A 'To' phone number is required.", 400),
                (_, null, _) => Error(21603, "A 'From' phone number is required.", 400),
                (_, _, null) => Error(21602, "Message body is required.", 400),
                _ => to switch
                {
                    InvalidNumber => Error(21211, $"Invalid 'To' Phone Number: {to}", 400),
                    UnroutableNumber => Error(21612, $"The 'To' phone number: {to}, is not currently reachable using the 'From' phone number: {from} via SMS.", 400),
                    UnsubscribedNumber => Error(21610, "Attempt to send to unsubscribed recipient", 400),
                    LandlineNumber => Error(21614, $"'To' number {to} is not a valid mobile number", 400),
                    _ => null,
                },
            };
            if (error is not null)
            {
                await WriteAsync(context, 400, error);
                return;
            }
            var messageSid = "SM" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            _issuedSids.Enqueue(messageSid);
            var now = DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
            await WriteAsync(context, 201, new JsonObject
            {
                ["account_sid"] = accountSid,
                ["api_version"] = "2010-04-01",
                ["body"] = body,
                ["date_created"] = now,
                ["date_sent"] = null,
                ["date_updated"] = now,
                ["direction"] = "outbound-api",
                ["error_code"] = null,
                ["error_message"] = null,
                ["from"] = from,
                ["messaging_service_sid"] = service,
                ["num_media"] = "0",
                ["num_segments"] = "1",
                ["price"] = null,
                ["price_unit"] = "USD",
                ["sid"] = messageSid,
                ["status"] = service is null ? "queued" : "accepted",
                ["subresource_uris"] = new JsonObject { ["media"] = $"/2010-04-01/Accounts/{accountSid}/Messages/{messageSid}/Media.json" },
                ["to"] = to,
                ["uri"] = $"/2010-04-01/Accounts/{accountSid}/Messages/{messageSid}.json",
            }.ToJsonString());
        });
    }

    private static async Task WriteAsync(HttpContext context, int status, string body, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    }
}
