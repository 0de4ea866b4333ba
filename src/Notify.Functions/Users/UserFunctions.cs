using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Notify.Core;
using Notify.Core.Apps;
using Notify.Core.Users;
using Notify.Functions.Http;

namespace Notify.Functions.Users;

/// <summary>PUT /api/v1/users/{userId}: create or replace a user's contacts, locale and time zone.</summary>
public sealed class PutUser(ApiGuard guard, UserService users)
{
    [Function(nameof(PutUser))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("Create or replace a user's contacts, locale and time zone")]
    [JsonBody(typeof(UserBody))]
    public async Task<Results<Ok<UserView>, ValidationProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/users/{userId}")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var (body, failure) = await guard.ReadBodyAsync(request, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await users.PutAsync(userId, body, app!.AppKey, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>GET /api/v1/users/{userId}.</summary>
public sealed class GetUser(UserService users)
{
    [Function(nameof(GetUser))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("A user's contacts, locale, time zone and devices")]
    public async Task<Results<Ok<UserView>, NotFoundProblem, AccessDenied>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/users/{userId}")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(userId, cancellationToken);
        return user is null ? ApiResults.NotFound($"User '{userId}'") : TypedResults.Ok(user);
    }
}

/// <summary>PUT /api/v1/users/{userId}/devices/{token}: register a push token (at most 10 per user; the oldest is dropped).</summary>
public sealed class PutDevice(ApiGuard guard, UserService users)
{
    [Function(nameof(PutDevice))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("Register a push token; past the limit per user the oldest is dropped")]
    [JsonBody(typeof(DeviceBody))]
    public async Task<Results<Ok<DeviceView>, ValidationProblem, NotFoundProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/users/{userId}/devices/{token}")] HttpRequest request,
        string userId,
        string token,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var (body, failure) = await guard.ReadBodyAsync(request, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await users.PutDeviceAsync(userId, token, body, app!.AppKey, cancellationToken);
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
    public async Task<Results<NoContent, NotFoundProblem, AccessDenied>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/users/{userId}/devices/{token}")] HttpRequest request,
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
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("A user's effective opt-in per channel")]
    public async Task<Results<Ok<PreferencesView>, NotFoundProblem, AccessDenied>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/users/{userId}/preferences")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var preferences = await users.GetPreferencesAsync(userId, cancellationToken);
        return preferences is null ? ApiResults.NotFound($"User '{userId}'") : TypedResults.Ok(preferences);
    }
}

/// <summary>PUT /api/v1/users/{userId}/preferences: partial; channels not named keep their setting.</summary>
public sealed class PutPreferences(ApiGuard guard, UserService users)
{
    [Function(nameof(PutPreferences))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("Change a user's opt-in per channel; channels not named keep their setting")]
    [JsonBody(typeof(ChannelPreferences))]
    public async Task<Results<Ok<PreferencesView>, ValidationProblem, NotFoundProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/users/{userId}/preferences")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var (body, failure) = await guard.ReadBodyAsync(request, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await users.PutPreferencesAsync(userId, body, app!.AppKey, cancellationToken);
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
public sealed record UserBody(string? Email, string? Phone, string? Locale, string? TimeZone);

/// <summary>The body of <c>PUT /api/v1/users/{userId}/devices/{token}</c>.</summary>
public sealed record DeviceBody(DevicePlatform Platform);
