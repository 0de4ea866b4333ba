using System.Net;
using System.Text.Json;

namespace Notify.Channels.Fcm;

/// <summary>
/// An FCM v1 error: the <c>google.rpc.Status</c> envelope <c>{"error":{code,message,status,details}}</c>, with the
/// FCM error code from its <c>google.firebase.fcm.v1.FcmError</c> detail when present.
/// </summary>
internal sealed record FcmError(int HttpStatus, string? Status, string? ErrorCode, string Message, IReadOnlyList<string> ViolatedFields, string? ApnsReason)
{
    private const string FcmErrorType = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
    private const string BadRequestType = "type.googleapis.com/google.rpc.BadRequest";
    private const string ApnsErrorType = "type.googleapis.com/google.firebase.fcm.v1.ApnsError";
    private const int MaxMessageLength = 300;

    /// <summary>The most specific code there is: the FCM error code, else the canonical status, else the HTTP status.</summary>
    public string Code => ErrorCode ?? Status ?? $"HTTP_{HttpStatus}";

    /// <summary>Reads the envelope; a body that is not one (an HTML 502 from a proxy) still gives the HTTP status.</summary>
    public static FcmError Parse(HttpStatusCode statusCode, string body)
    {
        var http = (int)statusCode;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return new FcmError(http, null, null, statusCode.ToString(), [], null);
            }
            string? errorCode = null;
            string? apnsReason = null;
            var fields = new List<string>();
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var detail in details.EnumerateArray().Where(d => d.ValueKind == JsonValueKind.Object))
                {
                    switch (Text(detail, "@type"))
                    {
                        case FcmErrorType:
                            errorCode ??= Text(detail, "errorCode");
                            break;
                        case ApnsErrorType:
                            apnsReason ??= Text(detail, "reason");
                            break;
                        case BadRequestType when detail.TryGetProperty("fieldViolations", out var violations) && violations.ValueKind == JsonValueKind.Array:
                            fields.AddRange(violations.EnumerateArray()
                                .Where(v => v.ValueKind == JsonValueKind.Object)
                                .Select(v => Text(v, "field"))
                                .OfType<string>());
                            break;
                    }
                }
            }
            return new FcmError(http, Text(error, "status"), errorCode, Text(error, "message") ?? statusCode.ToString(), fields, apnsReason);
        }
        catch (JsonException)
        {
            return new FcmError(http, null, null, statusCode.ToString(), [], null);
        }
    }

    /// <summary>
    /// FCM has no dedicated "bad token" code: an INVALID_ARGUMENT names the token through a field violation on
    /// <c>message.token</c>, APNs' own reason, or (in Google's documented example, with no detail at all) only its text.
    /// </summary>
    public bool NamesTheToken =>
        ViolatedFields.Contains("message.token")
        || ApnsReason is "BadDeviceToken" or "Unregistered"
        || Message.Contains("registration token", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Maps the error to what the worker does next; <paramref name="retryAfter"/> comes from the response header.
    /// The message reaches the delivery log and alerts, so the device token is cut out of FCM's text.
    /// </summary>
    public DeliveryOutcome ToOutcome(TimeSpan? retryAfter, string deviceToken)
    {
        var text = deviceToken.Length > 0 ? Message.Replace(deviceToken, "[token]", StringComparison.Ordinal) : Message;
        var detail = ViolatedFields.Count > 0 ? $"{text} (fields: {string.Join(", ", ViolatedFields)})" : text;
        detail = detail.Length > MaxMessageLength ? detail[..MaxMessageLength] + "..." : detail;
        return (ErrorCode, HttpStatus) switch
        {
            ("UNREGISTERED", _) => new DeliveryOutcome.InvalidRecipient(Code, detail),
            ("SENDER_ID_MISMATCH", _) => new DeliveryOutcome.InvalidRecipient(Code, detail),
            ("THIRD_PARTY_AUTH_ERROR" or "APNS_AUTH_ERROR", _) => new DeliveryOutcome.Misconfigured(Code, detail),
            // FCM asks for at least a minute's pause on quota errors when it gives no Retry-After.
            ("QUOTA_EXCEEDED", _) or (_, 429) => new DeliveryOutcome.Transient(Code, detail, retryAfter ?? TimeSpan.FromMinutes(1)),
            ("UNAVAILABLE" or "INTERNAL", _) or (_, >= 500) => new DeliveryOutcome.Transient(Code, detail, retryAfter),
            (_, 401 or 403) => new DeliveryOutcome.Misconfigured(Code, detail, retryAfter),
            ("INVALID_ARGUMENT" or null, 400) when NamesTheToken => new DeliveryOutcome.InvalidRecipient(Code, detail),
            // A 404 without UNREGISTERED is a wrong project id or base URL: retiring the token would drop every device.
            (_, 404) => new DeliveryOutcome.Misconfigured(Code, detail, retryAfter),
            _ => new DeliveryOutcome.Permanent(Code, detail),
        };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
