using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Notify.Testing;

/// <summary>
/// FCM HTTP v1 (<c>POST /v1/projects/{project}/messages:send</c>) and Google's OAuth token endpoint
/// (<c>POST /token</c>) on one Kestrel server. It issues a service account JSON whose <c>token_uri</c> points at
/// itself, checks each token request's RS256 assertion with the key it generated, and accepts only the access
/// tokens it issued. Error bodies are the <c>google.rpc.Status</c> shapes from the research notes.
/// </summary>
public sealed class FcmFake : FakeProviderServer
{
    public const string ProjectId = "notify-test";
    public const string ClientEmail = "notify-sender@notify-test.iam.gserviceaccount.com";
    public const string PrivateKeyId = "3f2a9c0d5e7b41c8a6d2e9f0b1c3d5e7f9a1b2c4";
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, bool> _issued = new();
    private readonly ConcurrentQueue<Reply> _replies = new();
    private readonly ConcurrentQueue<Reply> _tokenReplies = new();
    private readonly ConcurrentQueue<JsonObject> _assertions = new();
    private int _tokenRequests;
    private int _sends;

    public static async Task<FcmFake> StartNewAsync()
    {
        var fake = new FcmFake();
        await fake.StartAsync();
        return fake;
    }

    /// <summary>Access tokens issued so far: one per token request that succeeded or failed.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>The claims of every JWT assertion the token endpoint received.</summary>
    public IReadOnlyList<JsonObject> Assertions => [.. _assertions];

    public int ExpiresInSeconds { get; set; } = 3599;

    /// <summary>A service account key file, as Google issues it, for the key this fake checks signatures with.</summary>
    public string ServiceAccountJson => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = ProjectId,
        ["private_key_id"] = PrivateKeyId,
        ["private_key"] = _key.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail,
        ["client_id"] = "112233445566778899001",
        ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
        ["token_uri"] = new Uri(BaseAddress, "token").ToString(),
        ["universe_domain"] = "googleapis.com",
    });

    public RSA PublicKey
    {
        get
        {
            var key = RSA.Create();
            key.ImportSubjectPublicKeyInfo(_key.ExportSubjectPublicKeyInfo(), out _);
            return key;
        }
    }

    /// <summary>Answers the next send with this status and body (taken after auth checks pass).</summary>
    public void ReplyNext(int status, string body, int? retryAfterSeconds = null) => _replies.Enqueue(new Reply(status, body, retryAfterSeconds));

    /// <summary>Answers the next token request with this status and body.</summary>
    public void TokenReplyNext(int status, string body) => _tokenReplies.Enqueue(new Reply(status, body, null));

    protected override void MapRoutes(WebApplication app)
    {
        app.MapPost("/token", (Func<HttpContext, Task<IResult>>)TokenAsync);
        app.MapPost("/v1/projects/{project}/messages:send", (Func<HttpContext, string, Task<IResult>>)SendAsync);
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        var n = Interlocked.Increment(ref _tokenRequests);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (_tokenReplies.TryDequeue(out var scripted))
        {
            return Json(scripted);
        }
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || VerifiedClaims(form["assertion"].ToString()) is not { } claims)
        {
            return Json(new Reply(400, Bodies.InvalidGrant));
        }
        _assertions.Enqueue(claims);
        // aud stays Google's own token URL even when token_uri points here, so it is not checked.
        if (claims["iss"]?.GetValue<string>() != ClientEmail || claims["scope"]?.GetValue<string>()?.Split(' ').Contains(Scope) != true)
        {
            return Json(new Reply(400, Bodies.InvalidGrant));
        }
        var accessToken = $"ya29.fake-{n}";
        _issued[accessToken] = true;
        return Results.Json(new { access_token = accessToken, expires_in = ExpiresInSeconds, token_type = "Bearer" });
    }

    private JsonObject? VerifiedClaims(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        try
        {
            var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject();
            if (header["alg"]?.GetValue<string>() != "RS256" || header["kid"]?.GetValue<string>() != PrivateKeyId)
            {
                return null;
            }
            var signed = _key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return signed ? JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject() : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }
    }

    private async Task<IResult> SendAsync(HttpContext context, string project)
    {
        var fault = FaultOf(context);
        if (fault != FakeFault.None)
        {
            return Json(fault switch
            {
                FakeFault.ServerError => new Reply(500, Bodies.Internal),
                FakeFault.TooManyRequests => new Reply(429, Bodies.QuotaExceeded, RetryAfterSeconds),
                FakeFault.InvalidRecipient => new Reply(404, Bodies.Unregistered),
                FakeFault.AuthFailure => new Reply(401, Bodies.Unauthenticated),
                _ => new Reply(400, Bodies.InvalidDataValue),
            }, context);
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_issued.ContainsKey(authorization["Bearer ".Length..]))
        {
            return Json(new Reply(401, Bodies.Unauthenticated));
        }
        if (project != ProjectId)
        {
            return Json(new Reply(403, Bodies.PermissionDenied));
        }
        if (_replies.TryDequeue(out var scripted))
        {
            return Json(scripted, context);
        }
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted))?["message"] as JsonObject;
        }
        catch (JsonException)
        {
            return Json(new Reply(400, Bodies.InvalidJson));
        }
        if (message is null || new[] { "token", "topic", "condition" }.Count(message.ContainsKey) != 1)
        {
            return Json(new Reply(400, Bodies.NoTarget));
        }
        if (message["data"] is JsonObject data && data.Any(entry => entry.Value?.GetValueKind() != JsonValueKind.String))
        {
            return Json(new Reply(400, Bodies.InvalidDataValue));
        }
        var n = Interlocked.Increment(ref _sends);
        return Results.Json(new { name = $"projects/{project}/messages/0:{1500415314455276 + n}%31bd1c9631bd1c96" });
    }

    private static IResult Json(Reply reply, HttpContext? context = null)
    {
        if (reply.RetryAfterSeconds is { } seconds && context is not null)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Results.Text(reply.Body, "application/json", Encoding.UTF8, reply.Status);
    }

    private sealed record Reply(int Status, string Body, int? RetryAfterSeconds = null);

    /// <summary>FCM v1 error bodies: [doc] from Google's pages, [obs] seen from the real service, [constructed] in the documented shape.</summary>
    public static class Bodies
    {
        /// <summary>[obs] 404 for a token that is no longer registered.</summary>
        public const string Unregistered = """{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}""";

        /// <summary>[doc] error-codes page, example 2: an invalid token named only by the text, no BadRequest detail.</summary>
        public const string InvalidTokenDocumented = """{"error":{"code":400,"message":"The registration token is not a valid FCM registration token","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"INVALID_ARGUMENT"}]}}""";

        /// <summary>[obs] an invalid token with a field violation on <c>message.token</c> and APNs' own reason.</summary>
        public const string InvalidTokenWithFieldViolation = """{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"INVALID_ARGUMENT"},{"@type":"type.googleapis.com/google.firebase.fcm.v1.ApnsError","statusCode":400,"reason":"BadDeviceToken"},{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.token","description":"Invalid registration token"}]}]}}""";

        /// <summary>[constructed] the field-violation form alone, without the ApnsError detail (an Android token).</summary>
        public const string InvalidTokenFieldViolationOnly = """{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"INVALID_ARGUMENT"},{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.token","description":"Invalid registration token"}]}]}}""";

        /// <summary>[doc] error-codes page, example 1: a bad payload field, not the token.</summary>
        public const string InvalidDataValue = """{"error":{"code":400,"message":"Invalid value at 'message.data[0].value' (TYPE_STRING), 12","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.data[0].value","description":"Invalid value at 'message.data[0].value' (TYPE_STRING), 12"}]}]}}""";

        /// <summary>[constructed] a request with no target.</summary>
        public const string NoTarget = """{"error":{"code":400,"message":"Recipient of the message is not set.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"INVALID_ARGUMENT"}]}}""";

        /// <summary>[constructed] a body that is not JSON.</summary>
        public const string InvalidJson = """{"error":{"code":400,"message":"Invalid JSON payload received.","status":"INVALID_ARGUMENT"}}""";

        /// <summary>[obs] a token from another Firebase project.</summary>
        public const string SenderIdMismatch = """{"error":{"code":403,"message":"SenderId mismatch","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"SENDER_ID_MISMATCH"}]}}""";

        /// <summary>[constructed] per-device or per-project quota.</summary>
        public const string QuotaExceeded = """{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"QUOTA_EXCEEDED"}]}}""";

        /// <summary>[obs] the project-level rate limit, with an ErrorInfo detail and no FCM error.</summary>
        public const string ResourceExhausted = """{"error":{"code":429,"message":"Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute' of service 'fcm.googleapis.com' for consumer 'project_number:xxx'.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com","metadata":{"quota_metric":"fcm.googleapis.com/send_requests","quota_limit":"SendsPerMinutePerProject"}}]}}""";

        /// <summary>[constructed] overloaded.</summary>
        public const string Unavailable = """{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNAVAILABLE"}]}}""";

        /// <summary>[constructed] unknown server error.</summary>
        public const string Internal = """{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"INTERNAL"}]}}""";

        /// <summary>[obs] a missing, expired or foreign OAuth access token (Google's front end, no FCM error).</summary>
        public const string Unauthenticated = """{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.","status":"UNAUTHENTICATED"}}""";

        /// <summary>[constructed] the APNs key or web push key is missing in the Firebase console.</summary>
        public const string ThirdPartyAuthError = """{"error":{"code":401,"message":"Auth error from APNS or Web Push Service","status":"UNAUTHENTICATED","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"THIRD_PARTY_AUTH_ERROR"}]}}""";

        /// <summary>[obs] the service account lacks permission on the project.</summary>
        public const string PermissionDenied = """{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}""";

        /// <summary>[constructed] a 404 without an FCM error: a wrong project or URL, not a dead token.</summary>
        public const string NotFound = """{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}""";

        /// <summary>[constructed] a proxy's HTML page instead of a Google error.</summary>
        public const string BadGatewayHtml = "<html><body><h1>502 Bad Gateway</h1></body></html>";

        /// <summary>[doc] the token endpoint refusing the assertion.</summary>
        public const string InvalidGrant = """{"error":"invalid_grant","error_description":"Invalid JWT Signature."}""";

        public static readonly IReadOnlyDictionary<string, string> ByName = new Dictionary<string, string>
        {
            [nameof(Unregistered)] = Unregistered,
            [nameof(InvalidTokenDocumented)] = InvalidTokenDocumented,
            [nameof(InvalidTokenWithFieldViolation)] = InvalidTokenWithFieldViolation,
            [nameof(InvalidTokenFieldViolationOnly)] = InvalidTokenFieldViolationOnly,
            [nameof(InvalidDataValue)] = InvalidDataValue,
            [nameof(SenderIdMismatch)] = SenderIdMismatch,
            [nameof(QuotaExceeded)] = QuotaExceeded,
            [nameof(ResourceExhausted)] = ResourceExhausted,
            [nameof(Unavailable)] = Unavailable,
            [nameof(Internal)] = Internal,
            [nameof(Unauthenticated)] = Unauthenticated,
            [nameof(ThirdPartyAuthError)] = ThirdPartyAuthError,
            [nameof(PermissionDenied)] = PermissionDenied,
            [nameof(NotFound)] = NotFound,
            [nameof(BadGatewayHtml)] = BadGatewayHtml,
        };
    }
}
