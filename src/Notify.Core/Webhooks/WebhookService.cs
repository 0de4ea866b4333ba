using System.Security.Cryptography;
using Notify.Core.Apps;
using Notify.Core.Audit;
using Notify.Core.Templates;

namespace Notify.Core.Webhooks;

/// <summary>
/// The webhook endpoints API: an app manages only its own endpoints; an <c>admin</c> app may see and change every
/// app's. Every change is in the audit log (kind <c>webhook</c>), never with a secret.
/// </summary>
public sealed class WebhookService(
    IWebhookEndpointStore store,
    WebhookEndpointCache cache,
    IWebhookAttemptStore attempts,
    IWebhookEventStore events,
    IWebhookQueue queue,
    AuditLog audit,
    TimeProvider time,
    IOptionsMonitor<WebhookOptions> options)
{
    public const int MaxAttemptsListed = 100;

    public IReadOnlyCollection<string> AllowHttpHosts => options.CurrentValue.AllowHttpHosts;

    public async Task<Result<WebhookEndpointView>> CreateAsync(WebhookEndpointRequest request, AppRecord caller, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var errors = await CheckHostAsync(request.Url, cancellationToken);
        var existing = await store.ListAsync(caller.AppKey, cancellationToken);
        if (existing.Count >= settings.MaxEndpointsPerApp)
        {
            errors.Add("endpoints", $"an app may have at most {settings.MaxEndpointsPerApp} webhook endpoints; delete one first");
        }
        if (!errors.IsEmpty)
        {
            return Result<WebhookEndpointView>.Invalid(errors);
        }
        var now = time.GetUtcNow();
        var endpoint = new WebhookEndpoint(
            "ep_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)),
            caller.AppKey,
            request.Url.AbsoluteUri,
            request.EventTypes,
            request.Templates,
            request.Channels,
            request.Description,
            request.Enabled,
            now,
            now,
            WebhookSignature.NewSecret());
        if (!await store.TryCreateAsync(endpoint, cancellationToken))
        {
            return Result<WebhookEndpointView>.Conflict("An endpoint with the same id was created at the same time; retry.");
        }
        cache.Invalidate(caller.AppKey);
        await audit.RecordAsync(caller.AppKey, AuditKinds.Webhook, "create", endpoint.Id, Describe(endpoint), cancellationToken);
        return Result<WebhookEndpointView>.Ok(WebhookEndpointView.Of(endpoint) with { Secret = endpoint.Secret });
    }

    /// <summary>The caller's endpoints; an admin app may name another app (<paramref name="app"/>) or <c>*</c> for all.</summary>
    public async Task<Result<WebhookEndpointListView>> ListAsync(AppRecord caller, string? app, CancellationToken cancellationToken)
    {
        if (app is not null && app != caller.AppKey && !TemplateAccess.IsAdmin(caller))
        {
            return Result<WebhookEndpointListView>.Forbidden("Only an admin app may list another app's webhook endpoints.");
        }
        var list = await store.ListAsync(app is null ? caller.AppKey : app == "*" ? null : app, cancellationToken);
        return Result<WebhookEndpointListView>.Ok(new WebhookEndpointListView([.. list.OrderBy(e => e.CreatedAt).Select(WebhookEndpointView.Of)]));
    }

    public async Task<Result<WebhookEndpointView>> GetAsync(AppRecord caller, string id, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(caller, id, cancellationToken);
        return endpoint is null ? Result<WebhookEndpointView>.NotFound() : Result<WebhookEndpointView>.Ok(WebhookEndpointView.Of(endpoint));
    }

    /// <summary>Replaces the endpoint's settings; its secret stays. Enabling it again clears what Notify recorded of its failures.</summary>
    public async Task<Result<WebhookEndpointView>> PutAsync(AppRecord caller, string id, WebhookEndpointRequest request, CancellationToken cancellationToken)
    {
        var errors = await CheckHostAsync(request.Url, cancellationToken);
        if (!errors.IsEmpty)
        {
            return Result<WebhookEndpointView>.Invalid(errors);
        }
        var result = await UpdateAsync(caller, id, "put", e => e with
        {
            Url = request.Url.AbsoluteUri,
            EventTypes = request.EventTypes,
            Templates = request.Templates,
            Channels = request.Channels,
            Description = request.Description,
            Enabled = request.Enabled,
            DisabledReason = request.Enabled ? null : e.DisabledReason,
            FailingSince = request.Enabled && !e.Enabled ? null : e.FailingSince,
        }, cancellationToken);
        return result.Kind == ResultKind.Ok ? Result<WebhookEndpointView>.Ok(WebhookEndpointView.Of(result.Value!)) : Map<WebhookEndpointView>(result);
    }

    /// <summary>A new secret, answered once; the replaced one signs too for <see cref="WebhookOptions.SecretOverlap"/>.</summary>
    public async Task<Result<WebhookEndpointView>> RotateSecretAsync(AppRecord caller, string id, CancellationToken cancellationToken)
    {
        var overlapEnds = time.GetUtcNow() + options.CurrentValue.SecretOverlap;
        var result = await UpdateAsync(caller, id, "rotate-secret", e => e with
        {
            Secret = WebhookSignature.NewSecret(),
            PreviousSecret = e.Secret,
            PreviousSecretExpiresAt = overlapEnds,
        }, cancellationToken);
        return result.Kind == ResultKind.Ok
            ? Result<WebhookEndpointView>.Ok(WebhookEndpointView.Of(result.Value!) with { Secret = result.Value!.Secret, PreviousSecretExpiresAt = overlapEnds })
            : Map<WebhookEndpointView>(result);
    }

    public async Task<Result<string>> DeleteAsync(AppRecord caller, string id, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(caller, id, cancellationToken);
        if (endpoint is null || !await store.DeleteAsync(id, cancellationToken))
        {
            return Result<string>.NotFound();
        }
        cache.Invalidate(endpoint.AppKey);
        await audit.RecordAsync(caller.AppKey, AuditKinds.Webhook, "delete", id, $"app={endpoint.AppKey}", cancellationToken);
        return Result<string>.Ok(id);
    }

    /// <summary>The endpoint's most recent attempts (within <see cref="WebhookOptions.KeepFor"/>), newest first.</summary>
    public async Task<Result<WebhookAttemptListView>> AttemptsAsync(AppRecord caller, string id, int limit, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(caller, id, cancellationToken);
        if (endpoint is null)
        {
            return Result<WebhookAttemptListView>.NotFound();
        }
        var since = time.GetUtcNow() - options.CurrentValue.KeepFor;
        var list = await attempts.ListAsync(id, since, Math.Clamp(limit, 1, MaxAttemptsListed), cancellationToken);
        return Result<WebhookAttemptListView>.Ok(new WebhookAttemptListView(list));
    }

    /// <summary>Sends kept events again through the webhook queue, under their original webhook ids.</summary>
    public async Task<Result<WebhookReplayView>> ReplayAsync(AppRecord caller, string id, WebhookReplayRequest request, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(caller, id, cancellationToken);
        if (endpoint is null)
        {
            return Result<WebhookReplayView>.NotFound();
        }
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        var oldest = now - settings.KeepFor;
        if (request.Since is { } since && since < oldest)
        {
            return Result<WebhookReplayView>.Invalid(ValidationErrors.Single("since", $"may reach back at most {settings.KeepFor.TotalDays:0.#} days, as long as events are kept"));
        }
        var kept = await events.ListAsync(id, request.Since ?? oldest, request.Ids is null ? settings.MaxReplay : int.MaxValue, cancellationToken);
        var chosen = request.Ids is { } ids ? [.. kept.Where(k => ids.Contains(k.WebhookId, StringComparer.Ordinal))] : kept;
        var messages = chosen.Select(k => new WebhookMessage(endpoint.AppKey, id, k.WebhookId, k.Type, k.At, k.Body, 1, now)).ToList();
        await queue.EnqueueAsync(messages, TimeSpan.Zero, cancellationToken);
        await audit.RecordAsync(caller.AppKey, AuditKinds.Webhook, "replay", id, $"events={messages.Count}", cancellationToken);
        return Result<WebhookReplayView>.Ok(new WebhookReplayView(messages.Count, [.. messages.Select(m => m.WebhookId)]));
    }

    /// <summary>Queues a <c>webhook.test</c> event for the endpoint, whatever it subscribes to.</summary>
    public async Task<Result<WebhookReplayView>> TestAsync(AppRecord caller, string id, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(caller, id, cancellationToken);
        if (endpoint is null)
        {
            return Result<WebhookReplayView>.NotFound();
        }
        var now = time.GetUtcNow();
        var webhookId = WebhookSignature.WebhookId("test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), id);
        var body = WebhookPayload.Test(id, now);
        await events.KeepAsync([new KeptWebhookEvent(id, webhookId, WebhookEventTypes.Test, now, body)], cancellationToken);
        await queue.EnqueueAsync([new WebhookMessage(endpoint.AppKey, id, webhookId, WebhookEventTypes.Test, now, body, 1, now)], TimeSpan.Zero, cancellationToken);
        return Result<WebhookReplayView>.Ok(new WebhookReplayView(1, [webhookId]));
    }

    /// <summary>Where the URL's host resolves must be allowed (<see cref="AddressRules"/>); errors name <c>url</c>.</summary>
    private async Task<ValidationErrors> CheckHostAsync(Uri url, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var addresses = await AddressRules.ResolveAsync(url.IdnHost, cancellationToken);
        if (addresses.Count == 0)
        {
            errors.Add("url", "its host does not resolve");
        }
        else if (addresses.Any(cache.Rules.IsRefused))
        {
            errors.Add("url", "its host is or resolves to a loopback, private, link-local, shared or metadata address, where webhooks are not sent");
        }
        return errors;
    }

    private async Task<WebhookEndpoint?> FindAsync(AppRecord caller, string id, CancellationToken cancellationToken)
    {
        if (id.Length is 0 or > 64)
        {
            return null;
        }
        var endpoint = await store.GetAsync(id, cancellationToken);
        // Another app's endpoint is not found, not forbidden: its existence is not the caller's to learn.
        return endpoint is not null && (endpoint.AppKey == caller.AppKey || TemplateAccess.IsAdmin(caller)) ? endpoint : null;
    }

    private async Task<Result<WebhookEndpoint>> UpdateAsync(AppRecord caller, string id, string action, Func<WebhookEndpoint, WebhookEndpoint> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var endpoint = await FindAsync(caller, id, cancellationToken);
            if (endpoint is null)
            {
                return Result<WebhookEndpoint>.NotFound();
            }
            var changed = change(endpoint) with { UpdatedAt = time.GetUtcNow() };
            if (await store.TryUpdateAsync(changed, cancellationToken))
            {
                cache.Invalidate(endpoint.AppKey);
                await audit.RecordAsync(caller.AppKey, AuditKinds.Webhook, action, id, Describe(changed), cancellationToken);
                return Result<WebhookEndpoint>.Ok(changed);
            }
        }
        return Result<WebhookEndpoint>.Conflict($"Webhook endpoint '{id}' was changed by another request at the same time; retry.");
    }

    private static Result<T> Map<T>(Result<WebhookEndpoint> result) => new(result.Kind, default, result.Errors, result.Detail);

    /// <summary>The audit detail: where and what, never the secret.</summary>
    private static string Describe(WebhookEndpoint e) =>
        $"app={e.AppKey} url={new Uri(e.Url).GetLeftPart(UriPartial.Authority)} eventTypes={string.Join(',', e.EventTypes)} enabled={e.Enabled}";
}

public sealed record WebhookReplayView(int Queued, IReadOnlyList<string> WebhookIds);
