using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;

namespace Notify.Core.Tests.Apps;

/// <summary>An in-memory app table with the real one's ETag semantics, counting writes.</summary>
internal sealed class InMemoryAppStore : IAppStore
{
    private readonly ConcurrentDictionary<string, AppRecord> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _usage = new(StringComparer.Ordinal);
    private int _version;

    public int Reads;
    public int Writes;
    public int Touches;

    /// <summary>Runs before a conditional update, to simulate a concurrent writer.</summary>
    public Action<string>? BeforeUpdate { get; set; }

    public Task<AppRecord?> GetAsync(string appKey, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Reads);
        return Task.FromResult(_apps.GetValueOrDefault(appKey));
    }

    public Task<IReadOnlyList<AppRecord>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AppRecord>>([.. _apps.Values.Select(a => a with { LastUsedAt = _usage.TryGetValue(a.AppKey, out var at) ? at : null })]);

    public Task PutAsync(AppRecord app, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Writes);
        _apps[app.AppKey] = Versioned(app);
        return Task.CompletedTask;
    }

    public Task<bool> TryCreateAsync(AppRecord app, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Writes);
        return Task.FromResult(_apps.TryAdd(app.AppKey, Versioned(app)));
    }

    public Task<bool> TryUpdateAsync(AppRecord app, CancellationToken cancellationToken)
    {
        BeforeUpdate?.Invoke(app.AppKey);
        Interlocked.Increment(ref Writes);
        lock (_apps)
        {
            if (!_apps.TryGetValue(app.AppKey, out var current) || current.ETag != app.ETag)
            {
                return Task.FromResult(false);
            }
            _apps[app.AppKey] = Versioned(app);
            return Task.FromResult(true);
        }
    }

    public Task<bool> DeleteAsync(string appKey, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Writes);
        _usage.TryRemove(appKey, out _);
        return Task.FromResult(_apps.TryRemove(appKey, out _));
    }

    public Task TouchAsync(string appKey, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Touches);
        _usage[appKey] = at;
        return Task.CompletedTask;
    }

    /// <summary>Changes the stored row behind the service's back (another instance, the CLI).</summary>
    public void Bump(string appKey) => _apps[appKey] = Versioned(_apps[appKey]);

    public AppRecord Stored(string appKey) => _apps[appKey];

    private AppRecord Versioned(AppRecord app) => app with { ETag = "v" + Interlocked.Increment(ref _version) };
}

internal sealed class Monitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}

/// <summary>The apps area wired as in the host, over an in-memory store and a fake clock.</summary>
internal sealed class AppsKit
{
    public AppsKit(SecurityOptions? options = null)
    {
        Options = options ?? new SecurityOptions();
        var monitor = new Monitor<SecurityOptions>(Options);
        Directory = new AppDirectory(Store, Time, monitor);
        Throttle = new FailedAuthThrottle(Time, monitor);
        Quota = new RequestQuota(Time, monitor);
        Authenticator = new AppAuthenticator(Directory, Throttle, Quota, Time, NullLogger<AppAuthenticator>.Instance);
        Service = new AppService(Directory, Time, monitor, NullLogger<AppService>.Instance, new Audit.AuditLog(AuditStore, Time));
    }

    public InMemoryAuditStore AuditStore { get; } = new();

    public SecurityOptions Options { get; }
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    public InMemoryAppStore Store { get; } = new();
    public AppDirectory Directory { get; }
    public FailedAuthThrottle Throttle { get; }
    public RequestQuota Quota { get; }
    public AppAuthenticator Authenticator { get; }
    public AppService Service { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string Basic(string key, string secret) =>
        "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{key}:{secret}"));

    public async Task<AppCredentialView> CreateAsync(params string[] scopes) =>
        await Service.CreateAsync("test", scopes.Length == 0 ? Scopes.All : scopes, "test", Ct);

    public Task<AuthResult> AuthAsync(string? header, string scope = Scopes.NotificationsRead, string address = "203.0.113.7") =>
        Authenticator.AuthenticateAsync(header, address, scope, Ct);
}

/// <summary>The audit log's entries in a list, in the order they were written.</summary>
internal sealed class InMemoryAuditStore : Audit.IAuditStore
{
    public List<Audit.AuditEntry> Entries { get; } = [];

    public Task AppendAsync(Audit.AuditEntry entry, CancellationToken cancellationToken)
    {
        lock (Entries)
        {
            Entries.Add(entry);
        }
        return Task.CompletedTask;
    }

    public Task<Audit.AuditPage?> QueryAsync(Audit.AuditQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
        Task.FromResult<Audit.AuditPage?>(new Audit.AuditPage([.. Entries.Where(e => e.At >= query.Since).Reverse().Take(pageSize)], null));
}
