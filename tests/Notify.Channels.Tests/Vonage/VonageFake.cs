using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Notify.Channels.Tests.Vonage;

/// <summary>
/// The Vonage SMS API's <c>POST /sms/json</c>: form fields <c>api_key</c>, <c>api_secret</c>, <c>from</c>, <c>to</c>,
/// <c>text</c>; HTTP 200 with <c>{"message-count","messages":[{"status","message-id",...}]}</c>, a non-zero
/// <c>status</c> and <c>error-text</c> per failed message.
/// </summary>
public sealed class VonageFake(string apiKey, string apiSecret) : FakeProviderServer
{
    /// <summary>A number the fake treats as barred (replied STOP): status 7.</summary>
    public const string BarredNumber = "+447700900007";

    private readonly ConcurrentQueue<(string Status, string ErrorText)> _scripted = new();

    /// <summary>The form fields of each send received.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Forms => [.. Received
        .Where(r => r.Method == "POST" && r.Path == "/sms/json")
        .Select(r => (IReadOnlyDictionary<string, string>)Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(r.Body).ToDictionary(p => p.Key, p => p.Value.ToString()))];

    /// <summary>Answers the next send (after the credential check) with this status and error text.</summary>
    public void RespondNext(string status, string errorText) => _scripted.Enqueue((status, errorText));

    public static string Failed(string to, string status, string errorText) => new JsonObject
    {
        ["message-count"] = "1",
        ["messages"] = new JsonArray(new JsonObject { ["to"] = to, ["status"] = status, ["error-text"] = errorText }),
    }.ToJsonString();

    protected override void MapRoutes(WebApplication app)
    {
        app.MapPost("/sms/json", async (HttpContext context) =>
        {
            var fault = FaultOf(context);
            switch (fault)
            {
                case FakeFault.ServerError:
                    context.Response.StatusCode = 500;
                    return;
                case FakeFault.TooManyRequests:
                    context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    context.Response.StatusCode = 429;
                    return;
            }
            var form = await context.Request.ReadFormAsync();
            string? Field(string name) => form.TryGetValue(name, out var value) && value.Count > 0 && value[0] is { Length: > 0 } text ? text : null;
            var to = Field("to") ?? "";
            string? answer = null;
            if (fault == FakeFault.AuthFailure || Field("api_key") != apiKey || Field("api_secret") != apiSecret)
            {
                answer = Failed(to, "4", "Bad Credentials");
            }
            else if (fault == FakeFault.InvalidRecipient)
            {
                answer = Failed(to, "33", "Number de-activated");
            }
            else if (fault == FakeFault.BadRequest)
            {
                answer = Failed(to, "3", "Invalid from param");
            }
            else if (_scripted.TryDequeue(out var scripted))
            {
                answer = Failed(to, scripted.Status, scripted.ErrorText);
            }
            else if (Field("from") is null || Field("text") is null || to.Length == 0)
            {
                answer = Failed(to, "2", "Missing from param");
            }
            else if (to == BarredNumber.TrimStart('+'))
            {
                answer = Failed(to, "7", "Number barred.");
            }
            answer ??= new JsonObject
            {
                ["message-count"] = "1",
                ["messages"] = new JsonArray(new JsonObject
                {
                    ["to"] = to,
                    ["message-id"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)),
                    ["status"] = "0",
                    ["remaining-balance"] = "15.53590000",
                    ["message-price"] = "0.03330000",
                    ["network"] = "23410",
                }),
            }.ToJsonString();
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer);
        });
    }
}
