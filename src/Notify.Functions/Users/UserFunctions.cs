using Notify.Core.Users;

namespace Notify.Functions.Users;

/// <summary>PUT /api/v1/users/{userId}: create or replace a user's contacts, locale and time zone.</summary>
public sealed class PutUser(BodyBinder binder, UserService users)
{
    [Function(nameof(PutUser))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("Create or replace a user's contacts, locale and time zone")]
    [JsonBody(typeof(UserBody))]
    public async Task<Results<Ok<UserView>, ValidationProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/users/{userId}")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var (user, failure) = await binder.BindBodyAsync(request, (body, errors, _) => PutUserRequest.Parse(userId, body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await users.PutAsync(user!, app.AppKey, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>
/// POST /api/v1/users/batch: create or update up to 1,000 users with their devices and preferences in one request
/// (one quota unit). Each user is written on its own; the answer lists each one's outcome or field errors.
/// </summary>
public sealed class ImportUsers(BodyBinder binder, UserImportService import)
{
    [Function(nameof(ImportUsers))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("Create or update up to 1,000 users with their devices and preferences; dryRun validates only")]
    [JsonBody(typeof(UserBatchBody))]
    public async Task<Results<Ok<UserBatchView>, ValidationProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/users/batch")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        // The batch has its own body limit: the general one is far too small for 1,000 users with a device each.
        var (batch, failure) = await binder.BindBodyAsync(request, Limits.MaxBatchBodyBytes, TooManyUsers, UserBatchRequest.Parse, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await import.ImportAsync(batch!, request.Caller().AppKey, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            _ => throw ApiResults.Unexpected(result),
        };
    }

    private static RequestRefused? TooManyUsers(System.Text.Json.JsonElement body) =>
        UserBatchRequest.CountUsers(body) > Limits.MaxBatchUsers
            ? new RequestRefused(ApiResults.Problem(
                StatusCodes.Status413PayloadTooLarge, "Too many users", $"A batch may list at most {Limits.MaxBatchUsers} users; split it."))
            : null;
}

/// <summary>GET /api/v1/users/{userId}.</summary>
public sealed class GetUser(UserService users)
{
    [Function(nameof(GetUser))]
    [RequiresScope(Scopes.UsersWrite, Scopes.UsersRead, Scopes.Admin)]
    [EndpointSummary("A user's contacts, locale, time zone and devices")]
    [QueryParameter("masked", "true: contacts masked (a***@example.com, +8*******5678), as the console shows them; always masked for a caller without users:write or admin")]
    public async Task<Results<Ok<UserView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/users/{userId}")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(userId, cancellationToken);
        if (user is not null && (string.Equals(request.Query["masked"].ToString(), "true", StringComparison.OrdinalIgnoreCase) || !ReadsContactsInClear(request.Caller())))
        {
            user = user with { Email = Core.Users.ContactMask.Email(user.Email), Phone = Core.Users.ContactMask.Phone(user.Phone) };
        }
        return user is null ? ApiResults.NotFound($"User '{userId}'") : TypedResults.Ok(user);
    }

    /// <summary>Contacts in clear only for a caller that may write them (or admin); <c>users:read</c> alone sees them masked.</summary>
    internal static bool ReadsContactsInClear(Core.Apps.AppRecord caller) =>
        caller.Scopes.Contains(Scopes.UsersWrite, StringComparer.Ordinal) || caller.Scopes.Contains(Scopes.Admin, StringComparer.Ordinal);
}

/// <summary>PUT /api/v1/users/{userId}/devices/{token}: register a push token (at most 10 per user; the oldest is dropped).</summary>
public sealed class PutDevice(BodyBinder binder, UserService users)
{
    [Function(nameof(PutDevice))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("Register a push token; past the limit per user the oldest is dropped")]
    [JsonBody(typeof(DeviceBody))]
    public async Task<Results<Ok<DeviceView>, ValidationProblem, NotFoundProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/users/{userId}/devices/{token}")] HttpRequest request,
        string userId,
        string token,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var (device, failure) = await binder.BindBodyAsync(request, (body, errors, _) => PutDeviceRequest.Parse(userId, token, body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await users.PutDeviceAsync(device!, app.AppKey, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.NotFound => ApiResults.NotFound(result, $"User '{userId}'"),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>DELETE /api/v1/users/{userId}/devices/{token}: 204, or 404 when the user has no such device.</summary>
public sealed class DeleteDevice(UserService users)
{
    [Function(nameof(DeleteDevice))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("Remove a push token")]
    public async Task<Results<NoContent, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/users/{userId}/devices/{token}")] HttpRequest request,
        string userId,
        string token,
        CancellationToken cancellationToken)
    {
        return await users.DeleteDeviceAsync(userId, token, request.Caller().AppKey, cancellationToken) ? TypedResults.NoContent() : ApiResults.NotFound("Device");
    }
}

/// <summary>GET /api/v1/users/{userId}/preferences: the effective opt-in per channel.</summary>
public sealed class GetPreferences(UserService users)
{
    [Function(nameof(GetPreferences))]
    [RequiresScope(Scopes.UsersWrite, Scopes.UsersRead, Scopes.Admin)]
    [EndpointSummary("A user's effective opt-in per channel")]
    public async Task<Results<Ok<PreferencesView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/users/{userId}/preferences")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken) =>
        Answers.Found(await users.GetPreferencesAsync(userId, cancellationToken), $"User '{userId}'");
}

/// <summary>PUT /api/v1/users/{userId}/preferences: partial; channels not named keep their setting.</summary>
public sealed class PutPreferences(BodyBinder binder, UserService users)
{
    [Function(nameof(PutPreferences))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("Change a user's opt-in per channel; channels not named keep their setting")]
    [JsonBody(typeof(PreferencesBody))]
    public async Task<Results<Ok<PreferencesView>, ValidationProblem, NotFoundProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/users/{userId}/preferences")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var (preferences, failure) = await binder.BindBodyAsync(request, (body, errors, _) => PutPreferencesRequest.Parse(userId, body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await users.PutPreferencesAsync(preferences!, app.AppKey, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.NotFound => ApiResults.NotFound(result, $"User '{userId}'"),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>The body of <c>PUT /api/v1/users/{userId}</c>: phone in E.164, locale in BCP 47, time zone an IANA name.</summary>
public sealed record UserBody(string? Email, string? Phone, string? Locale, string? TimeZone, Core.Scheduling.QuietHours? QuietHours = null);

/// <summary>The body of <c>PUT /api/v1/users/{userId}/devices/{token}</c>.</summary>
public sealed record DeviceBody(DevicePlatform Platform);

/// <summary>The body of <c>POST /api/v1/users/batch</c>: at most 1,000 users and 4 MiB.</summary>
public sealed record UserBatchBody(IReadOnlyList<UserBatchEntryBody> Users, bool? DryRun);

/// <summary>
/// One user of a batch: the profile as in <c>PUT /api/v1/users/{userId}</c>, devices to register, preferences to merge
/// and <c>topics</c>: the keys of the topics the user follows afterwards, exactly (at most 100, each an existing
/// topic; left out: subscriptions unchanged; empty: none).
/// </summary>
public sealed record UserBatchEntryBody(
    string UserId,
    string? Email,
    string? Phone,
    string? Locale,
    string? TimeZone,
    IReadOnlyList<UserBatchDeviceBody>? Devices,
    PreferencesBody? Preferences,
    Core.Scheduling.QuietHours? QuietHours = null,
    IReadOnlyList<string>? Topics = null);

/// <summary>
/// The body of <c>PUT /api/v1/users/{userId}/preferences</c> (and a batch user's <c>preferences</c>): the channels
/// named change; <c>categories</c> maps a registered category key to <c>true</c>/<c>false</c> (the whole category,
/// replacing its per-channel choices), an object of channels (<c>{"email": false}</c>; null clears one) or null
/// (clears the category: its defaults apply again).
/// </summary>
public sealed record PreferencesBody(bool? Push, bool? Email, bool? Sms, IReadOnlyDictionary<string, System.Text.Json.JsonElement?>? Categories);

/// <summary>A device of a batch user: the push token and its platform.</summary>
public sealed record UserBatchDeviceBody(string Token, DevicePlatform Platform);
