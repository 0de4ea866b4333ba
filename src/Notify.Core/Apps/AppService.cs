namespace Notify.Core.Apps;

/// <summary>A secret as the API shows it: never the secret or its hash.</summary>
public sealed record SecretView(string Id, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

public sealed record AppView(
    string AppKey,
    string Name,
    IReadOnlyList<string> Scopes,
    bool Disabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    IReadOnlyList<SecretView> Secrets)
{
    /// <summary>Browser origins the end users' inbox API answers for this app's tokens (docs/inbox.md).</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];
}

/// <summary>The one answer that contains a secret: to a create or a rotation. It is not stored anywhere.</summary>
public sealed record AppCredentialView(string AppKey, string SecretId, string AppSecret, AppView App);

public sealed record AppListView(IReadOnlyList<AppView> Apps);

/// <summary>
/// Manages apps for the admin API and the command line: create, list, rotate and revoke secrets, set scopes,
/// disable, enable, delete. Every change is a conditional write on the app row's ETag (retried on a concurrent
/// change) and drops this instance's cached copy at once.
/// </summary>
public sealed class AppService(AppDirectory directory, TimeProvider time, IOptionsMonitor<SecurityOptions> options, ILogger<AppService> logger, Audit.AuditLog audit)
{
    /// <summary>Active secrets per app: the current one, and during a rotation's grace period the previous one.</summary>
    public const int MaxActiveSecrets = 2;

    public const int MaxNameLength = 100;

    /// <summary>Who made a change, in the logs, when it was not an app (the command line).</summary>
    public const string CommandLineActor = "command-line";

    private const int MaxAttempts = 5;

    private IAppStore Store => directory.Store;

    public static bool IsValidAppKey(string appKey) => AppSecrets.AppKeyPattern().IsMatch(appKey);

    /// <summary>Creates the app with a new secret; the answer holds the secret, once.</summary>
    public async Task<AppCredentialView> CreateAsync(string name, IReadOnlyList<string> scopes, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        while (true)
        {
            var secret = AppSecrets.NewSecret();
            var app = new AppRecord(AppSecrets.NewAppKey(), name, [new AppSecret(AppSecrets.NewSecretId(), AppSecrets.Hash(secret), now, null)], [.. scopes.Distinct(StringComparer.Ordinal)], false, now);
            // 64 random bits: a collision is practically impossible, and the insert would refuse it anyway.
            if (await Store.TryCreateAsync(app, cancellationToken))
            {
                AppsLog.Created(logger, app.AppKey, name, string.Join(' ', app.Scopes), app.Secrets[0].Id, actor);
                await audit.RecordAsync(actor, Audit.AuditKinds.App, "create", app.AppKey, $"scopes={string.Join(' ', app.Scopes)} secretId={app.Secrets[0].Id}", cancellationToken);
                return new AppCredentialView(app.AppKey, app.Secrets[0].Id, secret, View(app, now));
            }
        }
    }

    public async Task<AppListView> ListAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var apps = await Store.ListAsync(cancellationToken);
        return new AppListView([.. apps.OrderBy(a => a.CreatedAt).ThenBy(a => a.AppKey, StringComparer.Ordinal).Select(a => View(a, now))]);
    }

    public async Task<AppView?> GetAsync(string appKey, CancellationToken cancellationToken)
    {
        if (!IsValidAppKey(appKey))
        {
            return null;
        }
        var apps = await Store.ListAsync(cancellationToken);
        var app = apps.FirstOrDefault(a => a.AppKey == appKey);
        return app is null ? null : View(app, time.GetUtcNow());
    }

    /// <summary>
    /// Rotates: a new secret, and every older active secret expires after the grace period (the request's, else the
    /// configured default), so callers can roll over without downtime.
    /// </summary>
    public Task<Result<AppCredentialView>> RotateAsync(string appKey, RotateSecretRequest request, string actor, CancellationToken cancellationToken) =>
        RotateAsync(appKey, request.GracePeriod ?? options.CurrentValue.RotationGracePeriod, actor, cancellationToken);

    public async Task<Result<AppCredentialView>> RotateAsync(string appKey, TimeSpan grace, string actor, CancellationToken cancellationToken)
    {
        string? secret = null;
        AppSecret? added = null;
        var result = await UpdateAsync(appKey, (app, now) =>
        {
            var active = app.ActiveSecrets(now).ToList();
            if (active.Count >= MaxActiveSecrets)
            {
                var oldest = active.MinBy(s => s.CreatedAt)!;
                return Result<AppRecord>.Conflict(
                    $"The app already has {MaxActiveSecrets} active secrets. Revoke secret '{oldest.Id}' (DELETE .../secrets/{oldest.Id})"
                    + (oldest.ExpiresAt is { } at ? $" or wait until it expires at {at:O}." : "."));
            }
            secret = AppSecrets.NewSecret();
            added = new AppSecret(AppSecrets.NewSecretId(), AppSecrets.Hash(secret), now, null);
            var expires = now + grace;
            List<AppSecret> secrets =
            [
                .. active.Select(s => s with { ExpiresAt = s.ExpiresAt is { } at && at < expires ? at : expires }).Where(s => s.IsActive(now)),
                added,
            ];
            return Result<AppRecord>.Ok(app with { Secrets = secrets });
        }, cancellationToken);
        if (result.Kind != ResultKind.Ok)
        {
            return Failure<AppCredentialView, AppView>(result);
        }
        AppsLog.Rotated(logger, appKey, added!.Id, actor, time.GetUtcNow() + grace);
        await audit.RecordAsync(actor, Audit.AuditKinds.App, "rotate-secret", appKey, $"secretId={added.Id} graceSeconds={(long)grace.TotalSeconds}", cancellationToken);
        return Result<AppCredentialView>.Ok(new AppCredentialView(appKey, added.Id, secret!, result.Value!));
    }

    /// <summary>Revokes one secret at once. The last active secret cannot be revoked: rotate first, or disable the app.</summary>
    public async Task<Result<AppView>> RevokeSecretAsync(string appKey, string secretId, string actor, CancellationToken cancellationToken)
    {
        var result = await UpdateAsync(appKey, (app, now) =>
        {
            var active = app.ActiveSecrets(now).ToList();
            if (!active.Any(s => s.Id == secretId))
            {
                return Result<AppRecord>.NotFound($"App '{appKey}' has no active secret '{secretId}'.");
            }
            if (active.Count == 1)
            {
                return Result<AppRecord>.Conflict("This is the app's only active secret. Rotate first (POST .../secrets), or disable the app.");
            }
            return Result<AppRecord>.Ok(app with { Secrets = [.. active.Where(s => s.Id != secretId)] });
        }, cancellationToken);
        if (result.Kind == ResultKind.Ok)
        {
            AppsLog.Revoked(logger, appKey, secretId, actor);
            await audit.RecordAsync(actor, Audit.AuditKinds.App, "revoke-secret", appKey, $"secretId={secretId}", cancellationToken);
        }
        return result;
    }

    /// <summary>Disables or enables an app. An app cannot disable itself, so the last admin cannot lock everyone out by accident.</summary>
    public async Task<Result<AppView>> SetDisabledAsync(string appKey, bool disabled, string actor, CancellationToken cancellationToken)
    {
        if (disabled && appKey == actor)
        {
            return Result<AppView>.Conflict("An app cannot disable itself; use another admin app or the command line.");
        }
        var result = await UpdateAsync(appKey, (app, _) => Result<AppRecord>.Ok(app with { Disabled = disabled }), cancellationToken);
        if (result.Kind == ResultKind.Ok)
        {
            AppsLog.DisabledChanged(logger, appKey, disabled, actor);
            await audit.RecordAsync(actor, Audit.AuditKinds.App, disabled ? "disable" : "enable", appKey, null, cancellationToken);
        }
        return result;
    }

    /// <summary>
    /// Replaces the app's scopes with <paramref name="scopes"/> (known names, at least one); they apply to its next
    /// request (this instance's cached copy is dropped at once, other instances' within the app cache's lifetime). An
    /// app cannot take <c>admin</c> from itself, so the last admin cannot lock everyone out by accident.
    /// </summary>
    public async Task<Result<AppView>> SetScopesAsync(string appKey, IReadOnlyList<string> scopes, string actor, CancellationToken cancellationToken)
    {
        if (scopes.Count == 0 || scopes.Any(s => !Scopes.IsKnown(s)))
        {
            var errors = new ValidationErrors();
            errors.Add("scopes", $"must name at least one of {string.Join(", ", Scopes.All)}, and nothing else");
            return Result<AppView>.Invalid(errors);
        }
        if (appKey == actor && !scopes.Contains(Scopes.Admin))
        {
            return Result<AppView>.Conflict("An app cannot remove its own admin scope; use another admin app or the command line.");
        }
        var distinct = scopes.Distinct(StringComparer.Ordinal).ToList();
        var result = await UpdateAsync(appKey, (app, _) => Result<AppRecord>.Ok(app with { Scopes = distinct }), cancellationToken);
        if (result.Kind == ResultKind.Ok)
        {
            AppsLog.ScopesChanged(logger, appKey, string.Join(' ', distinct), actor);
            await audit.RecordAsync(actor, Audit.AuditKinds.App, "set-scopes", appKey, $"scopes={string.Join(' ', distinct)}", cancellationToken);
        }
        return result;
    }

    /// <summary>Replaces the browser origins the end users' inbox API answers for the app's tokens (already checked by <see cref="SetOriginsRequest.Parse"/>).</summary>
    public async Task<Result<AppView>> SetOriginsAsync(string appKey, IReadOnlyList<string> origins, string actor, CancellationToken cancellationToken)
    {
        var result = await UpdateAsync(appKey, (app, _) => Result<AppRecord>.Ok(app with { AllowedOrigins = origins }), cancellationToken);
        if (result.Kind == ResultKind.Ok)
        {
            await audit.RecordAsync(actor, Audit.AuditKinds.App, "set-origins", appKey, $"origins={string.Join(' ', origins)}", cancellationToken);
        }
        return result;
    }

    /// <summary>Deletes an app and with it every secret. Its notifications stay in the log.</summary>
    public async Task<Result<bool>> DeleteAsync(string appKey, string actor, CancellationToken cancellationToken)
    {
        if (!IsValidAppKey(appKey))
        {
            return Result<bool>.NotFound();
        }
        if (appKey == actor)
        {
            return Result<bool>.Conflict("An app cannot delete itself; use another admin app or the command line.");
        }
        var deleted = await Store.DeleteAsync(appKey, cancellationToken);
        directory.Invalidate(appKey);
        if (!deleted)
        {
            return Result<bool>.NotFound();
        }
        AppsLog.Deleted(logger, appKey, actor);
        await audit.RecordAsync(actor, Audit.AuditKinds.App, "delete", appKey, null, cancellationToken);
        return Result<bool>.Ok(true);
    }

    /// <summary>Read, change, write conditionally; on a concurrent change, again from the read.</summary>
    private async Task<Result<AppView>> UpdateAsync(string appKey, Func<AppRecord, DateTimeOffset, Result<AppRecord>> change, CancellationToken cancellationToken)
    {
        if (!IsValidAppKey(appKey))
        {
            return Result<AppView>.NotFound();
        }
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var app = await Store.GetAsync(appKey, cancellationToken);
                if (app is null)
                {
                    return Result<AppView>.NotFound();
                }
                var now = time.GetUtcNow();
                var changed = change(app, now);
                if (changed.Kind != ResultKind.Ok)
                {
                    return Failure<AppView, AppRecord>(changed);
                }
                // Expired secrets are dropped on every write, so a row holds at most the active ones.
                var updated = changed.Value! with { Secrets = [.. changed.Value!.ActiveSecrets(now)] };
                if (await Store.TryUpdateAsync(updated, cancellationToken))
                {
                    return Result<AppView>.Ok(View(updated, now));
                }
                if (attempt == MaxAttempts)
                {
                    return Result<AppView>.Conflict("The app was changed concurrently several times; try again.");
                }
            }
        }
        finally
        {
            directory.Invalidate(appKey);
        }
    }

    private static Result<TOut> Failure<TOut, TIn>(Result<TIn> failed) => failed.Kind switch
    {
        ResultKind.Invalid => Result<TOut>.Invalid(failed.Errors!),
        ResultKind.NotFound => Result<TOut>.NotFound(failed.Detail),
        _ => Result<TOut>.Conflict(failed.Detail ?? "Conflict."),
    };

    private static AppView View(AppRecord app, DateTimeOffset now) => new(
        app.AppKey,
        app.Name,
        app.Scopes,
        app.Disabled,
        app.CreatedAt,
        app.LastUsedAt,
        [.. app.ActiveSecrets(now).OrderBy(s => s.CreatedAt).Select(s => new SecretView(s.Id, s.CreatedAt, s.ExpiresAt))])
    {
        AllowedOrigins = app.AllowedOrigins,
    };
}
