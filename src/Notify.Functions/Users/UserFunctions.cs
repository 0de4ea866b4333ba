using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Notify.Core.Apps;
using Notify.Core.Users;
using Notify.Functions.Http;

namespace Notify.Functions.Users;

/// <summary>PUT /api/v1/users/{userId}: create or replace a user's contacts, locale and time zone.</summary>
public sealed class PutUser(ApiGuard guard, UserService users)
{
    [Function(nameof(PutUser))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/users/{userId}")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var (_, body, failure) = await guard.AuthorizeWithBodyAsync(request, Scopes.UsersWrite, cancellationToken);
        return failure ?? ApiResults.From(await users.PutAsync(userId, body, cancellationToken), $"User '{userId}'");
    }
}

/// <summary>GET /api/v1/users/{userId}.</summary>
public sealed class GetUser(ApiGuard guard, UserService users)
{
    [Function(nameof(GetUser))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/users/{userId}")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var (_, failure) = await guard.AuthorizeAsync(request, Scopes.UsersWrite, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var user = await users.GetAsync(userId, cancellationToken);
        return user is null ? ApiResults.NotFound($"User '{userId}'") : TypedResults.Ok(user);
    }
}

/// <summary>PUT /api/v1/users/{userId}/devices/{token}: register a push token (at most 10 per user; the oldest is dropped).</summary>
public sealed class PutDevice(ApiGuard guard, UserService users)
{
    [Function(nameof(PutDevice))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/users/{userId}/devices/{token}")] HttpRequest request,
        string userId,
        string token,
        CancellationToken cancellationToken)
    {
        var (_, body, failure) = await guard.AuthorizeWithBodyAsync(request, Scopes.UsersWrite, cancellationToken);
        return failure ?? ApiResults.From(await users.PutDeviceAsync(userId, token, body, cancellationToken), $"User '{userId}'");
    }
}

/// <summary>DELETE /api/v1/users/{userId}/devices/{token}: 204, or 404 when the user has no such device.</summary>
public sealed class DeleteDevice(ApiGuard guard, UserService users)
{
    [Function(nameof(DeleteDevice))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/users/{userId}/devices/{token}")] HttpRequest request,
        string userId,
        string token,
        CancellationToken cancellationToken)
    {
        var (_, failure) = await guard.AuthorizeAsync(request, Scopes.UsersWrite, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        return await users.DeleteDeviceAsync(userId, token, cancellationToken) ? TypedResults.NoContent() : ApiResults.NotFound("Device");
    }
}

/// <summary>GET /api/v1/users/{userId}/preferences: the effective opt-in per channel.</summary>
public sealed class GetPreferences(ApiGuard guard, UserService users)
{
    [Function(nameof(GetPreferences))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/users/{userId}/preferences")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var (_, failure) = await guard.AuthorizeAsync(request, Scopes.UsersWrite, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var preferences = await users.GetPreferencesAsync(userId, cancellationToken);
        return preferences is null ? ApiResults.NotFound($"User '{userId}'") : TypedResults.Ok(preferences);
    }
}

/// <summary>PUT /api/v1/users/{userId}/preferences: partial; channels not named keep their setting.</summary>
public sealed class PutPreferences(ApiGuard guard, UserService users)
{
    [Function(nameof(PutPreferences))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/users/{userId}/preferences")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var (_, body, failure) = await guard.AuthorizeWithBodyAsync(request, Scopes.UsersWrite, cancellationToken);
        return failure ?? ApiResults.From(await users.PutPreferencesAsync(userId, body, cancellationToken), $"User '{userId}'");
    }
}
