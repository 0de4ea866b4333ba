using System.Text.Json;
using System.Text.Json.Nodes;

namespace Notify.Testing;

/// <summary>
/// SendGrid's <c>POST /v3/mail/send</c> as the real API answers it: Bearer key check, 202 with
/// <c>X-Message-Id</c>, and the <c>{"errors":[{"message","field","help"}]}</c> envelope for failures.
/// </summary>
public sealed class SendGridFake(string apiKey) : FakeProviderServer
{
    private const string Help = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html";

    private readonly ConcurrentQueue<ScriptedResponse> _scripted = new();
    private readonly ConcurrentQueue<string> _issuedIds = new();

    /// <summary>Every <c>X-Message-Id</c> handed out, in order.</summary>
    public IReadOnlyList<string> IssuedMessageIds => [.. _issuedIds];

    /// <summary>The mail sends received, as JSON (only requests to the send route).</summary>
    public IReadOnlyList<JsonObject> Mails => [.. Received.Where(r => r.Path == "/v3/mail/send" && r.Body.Length > 0).Select(r => JsonNode.Parse(r.Body)!.AsObject())];

    /// <summary>
    /// The <c>deliveryId</c> custom argument of every send answered 2xx, once per acceptance: a delivery id that appears
    /// twice was sent twice.
    /// </summary>
    public IReadOnlyList<string> AcceptedDeliveryIds =>
        [.. Accepted.Where(r => r.Path == "/v3/mail/send" && r.Body.Length > 0)
            .Select(r => JsonNode.Parse(r.Body)!.AsObject())
            .Select(mail => mail["custom_args"]?["deliveryId"] ?? (mail["personalizations"] as JsonArray)?.Select(p => p?["custom_args"]?["deliveryId"]).FirstOrDefault(id => id is not null))
            .Where(id => id is not null)
            .Select(id => id!.GetValue<string>())];

    /// <summary>Answers the next send (after the auth check) with exactly this, for statuses the faults do not cover.</summary>
    public void RespondNext(int status, string body, params (string Name, string Value)[] headers) =>
        _scripted.Enqueue(new ScriptedResponse(status, body, headers));

    public static string Errors(params (string Message, string? Field)[] errors) => new JsonObject
    {
        ["errors"] = new JsonArray([.. errors.Select(e => new JsonObject
        {
            ["message"] = e.Message,
            ["field"] = e.Field,
            ["help"] = e.Field is null ? null : $"{Help}#message.{e.Field}",
        })]),
    }.ToJsonString();

    protected override void MapRoutes(WebApplication app)
    {
        app.MapPost("/v3/mail/send", async context =>
        {
            var fault = FaultOf(context);
            if (fault == FakeFault.AuthFailure || context.Request.Headers.Authorization != $"Bearer {apiKey}")
            {
                // Real 401 body (SendGrid support article 18322114821403).
                await WriteAsync(context, 401, Errors(("The provided authorization grant is invalid, expired, or revoked", null)));
                return;
            }
            switch (fault)
            {
                case FakeFault.ServerError:
                    await WriteAsync(context, 500, Errors(("Internal server error", null)));
                    return;
                case FakeFault.TooManyRequests:
                    context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    WriteRateLimitHeaders(context, DateTimeOffset.UtcNow.AddSeconds(RetryAfterSeconds));
                    await WriteAsync(context, 429, Errors(("too many requests", null)));
                    return;
                case FakeFault.InvalidRecipient:
                    await WriteAsync(context, 400, Errors(("Does not contain a valid address.", "personalizations.0.to.0.email")));
                    return;
                case FakeFault.BadRequest:
                    await WriteAsync(context, 400, Errors(("The content value must be a string at least one character in length.", "content.0.value")));
                    return;
            }
            if (_scripted.TryDequeue(out var scripted))
            {
                foreach (var (name, value) in scripted.Headers)
                {
                    context.Response.Headers[name] = value;
                }
                await WriteAsync(context, scripted.Status, scripted.Body);
                return;
            }
            if (!(context.Request.ContentType ?? "").StartsWith("application/json", StringComparison.Ordinal))
            {
                await WriteAsync(context, 415, Errors(("Content-Type should be application/json.", null)));
                return;
            }
            var problems = Validate(JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) as JsonObject);
            if (problems.Count > 0)
            {
                await WriteAsync(context, 400, Errors([.. problems]));
                return;
            }
            var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            _issuedIds.Enqueue(id);
            context.Response.StatusCode = 202;
            context.Response.Headers["X-Message-Id"] = id;
        });
    }

    /// <summary>The checks SendGrid makes at send time, reporting every failing field as it does.</summary>
    private static List<(string Message, string? Field)> Validate(JsonObject? mail)
    {
        var problems = new List<(string, string?)>();
        if (mail is null)
        {
            problems.Add(("Bad Request", null));
            return problems;
        }
        if (!IsAddress(mail["from"]?["email"]?.GetValue<string>()))
        {
            problems.Add(("The from email does not contain a valid address.", "from.email"));
        }
        var personalizations = mail["personalizations"] as JsonArray ?? [];
        if (personalizations.Count == 0)
        {
            problems.Add(("The personalizations field is required and must have at least one personalization.", "personalizations"));
        }
        for (var i = 0; i < personalizations.Count; i++)
        {
            var to = personalizations[i]?["to"] as JsonArray ?? [];
            if (to.Count == 0)
            {
                problems.Add(("The to array is required for all personalization objects, and must have at least one email object with a valid email address.", $"personalizations.{i}.to"));
            }
            for (var j = 0; j < to.Count; j++)
            {
                if (!IsAddress(to[j]?["email"]?.GetValue<string>()))
                {
                    problems.Add(("Does not contain a valid address.", $"personalizations.{i}.to.{j}.email"));
                }
            }
        }
        var content = mail["content"] as JsonArray ?? [];
        if (content.Count == 0 || content.Any(c => string.IsNullOrEmpty(c?["value"]?.GetValue<string>())))
        {
            problems.Add(("The content value must be a string at least one character in length.", "content.0.value"));
        }
        return problems;
    }

    private static bool IsAddress(string? address) =>
        address is { Length: > 2 } && address.IndexOf('@', StringComparison.Ordinal) is var at && at > 0 && at < address.Length - 1 && !address.Contains(' ', StringComparison.Ordinal);

    private static void WriteRateLimitHeaders(HttpContext context, DateTimeOffset reset)
    {
        context.Response.Headers["X-RateLimit-Limit"] = "600";
        context.Response.Headers["X-RateLimit-Remaining"] = "0";
        context.Response.Headers["X-RateLimit-Reset"] = reset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        if (body.Length > 0)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        }
    }

    private sealed record ScriptedResponse(int Status, string Body, (string Name, string Value)[] Headers);
}
