using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Notify.Channels.SendGrid;
using Notify.Channels.Twilio;
using Notify.Core.Tracking;

namespace Notify.Functions.Tracking;

/// <summary>
/// POST /api/v1/webhooks/sendgrid: SendGrid's Signed Event Webhook. Authenticated by its ECDSA signature, not
/// Basic auth: unsigned, badly signed or stale posts are 401 and write nothing.
/// </summary>
public sealed class SendGridEvents(ReceiptHandler receipts)
{
    /// <summary>SendGrid batches up to a thousand events per post.</summary>
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    [Function(nameof(SendGridEvents))]
    [EndpointSummary("SendGrid's signed event webhook: delivery, bounce, open and click receipts")]
    [JsonBody(typeof(IReadOnlyList<SendGridEventBody>))]
    public async Task<Results<Ok<WebhookSummary>, WebhookBodyRejected, SignatureRejected>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/webhooks/sendgrid")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await RawBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return new WebhookBodyRejected(ApiResults.Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The body may be at most {MaxBodyBytes} bytes."));
        }
        var post = RawBody.Post(request, body, form: null);
        var check = receipts.Verify(SendGridWebhook.Source, post);
        if (check != WebhookCheck.Verified)
        {
            return RawBody.Rejected(check);
        }
        var applied = await receipts.ApplyAsync(SendGridWebhook.Source, post, cancellationToken);
        return applied is null
            ? new WebhookBodyRejected(ApiResults.Problem(StatusCodes.Status400BadRequest, "The request is invalid", "The body must be a JSON array of events."))
            : TypedResults.Ok(applied.Summary);
    }
}

/// <summary>
/// POST /api/v1/webhooks/twilio?deliveryId=...: Twilio's SMS status callback. Authenticated by
/// <c>X-Twilio-Signature</c>, not Basic auth: unsigned, badly signed or stale callbacks are 401 and write nothing.
/// </summary>
public sealed class TwilioStatus(ReceiptHandler receipts)
{
    [Function(nameof(TwilioStatus))]
    [EndpointSummary("Twilio's SMS status callback, signed with X-Twilio-Signature")]
    [QueryParameter("deliveryId", "The delivery, as Notify put it in the callback URL", Required = true)]
    public async Task<Results<Ok<TwilioStatusView>, SignatureRejected>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/webhooks/twilio")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        // Twilio posts a URL-encoded form, nothing else (a multipart body is not one of its callbacks, and its parser
        // throws on malformed input); read at most 64 KiB of it, as for the other webhooks.
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || await RawBody.ReadAsync(request, 64 * 1024, cancellationToken) is not { } raw)
        {
            return RawBody.Rejected(WebhookCheck.Unsigned);
        }
        Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form;
        try
        {
            using var reader = new FormReader(new MemoryStream(raw));
            form = await reader.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return RawBody.Rejected(WebhookCheck.Unsigned);
        }
        var post = RawBody.Post(request, raw, form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value.ToString())).ToList());
        var check = receipts.Verify(TwilioWebhook.Source, post);
        if (check != WebhookCheck.Verified)
        {
            return RawBody.Rejected(check);
        }
        // A callback carries one receipt.
        var outcome = (await receipts.ApplyAsync(TwilioWebhook.Source, post, cancellationToken))?.Outcomes.SingleOrDefault() ?? ReceiptOutcome.Ignored;
        return outcome == ReceiptOutcome.Stale
            ? RawBody.Rejected(WebhookCheck.Stale)
            : TypedResults.Ok(new TwilioStatusView(outcome.ToString().ToLowerInvariant()));
    }
}

internal static class RawBody
{
    /// <summary>The body's bytes (signatures cover them exactly), or null when longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return null;
            }
        }
        return buffer.ToArray();
    }

    /// <summary>The request as the provider's webhook reads it: the URL it arrived on, its query and headers, and the body.</summary>
    public static WebhookPost Post(HttpRequest request, byte[] body, IReadOnlyList<KeyValuePair<string, string>>? form)
    {
        var query = request.QueryString.Value ?? "";
        return new WebhookPost(
            $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{query}",
            query,
            request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            form);
    }

    /// <summary>401 without a Basic challenge: these endpoints authenticate by signature.</summary>
    public static SignatureRejected Rejected(WebhookCheck check) => new(ApiResults.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", check switch
    {
        WebhookCheck.NotConfigured => "This webhook's verification key is not configured; nothing is accepted.",
        WebhookCheck.Unsigned => "The request is not signed.",
        WebhookCheck.Stale => "The request is too old (or its timestamp is in the future).",
        _ => "The signature does not match.",
    }));
}

/// <summary>The answer to Twilio's status callback: what the callback changed (<c>ignored</c> when nothing).</summary>
public sealed record TwilioStatusView(string Outcome);

/// <summary>401 problem+json without a Basic challenge: these endpoints authenticate by signature.</summary>
public sealed class SignatureRejected : ApiProblem, IEndpointMetadataProvider
{
    internal SignatureRejected(ProblemHttpResult inner) : base(inner)
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        ApiResults.ProducesProblem(builder, StatusCodes.Status401Unauthorized);
}

/// <summary>A webhook body that is too large (413) or not the provider's format (400, problem+json without field errors).</summary>
public sealed class WebhookBodyRejected : ApiProblem, IEndpointMetadataProvider
{
    internal WebhookBodyRejected(ProblemHttpResult inner) : base(inner)
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ApiResults.ProducesProblem(builder, StatusCodes.Status400BadRequest);
        ApiResults.ProducesProblem(builder, StatusCodes.Status413PayloadTooLarge);
    }
}
