using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;
using Google.Apis.Util;

namespace Notify.Channels.Fcm;

/// <summary>
/// OAuth2 access tokens for the FCM API from the service account, via Google.Apis.Auth. The library caches a
/// token until shortly before it expires and shares one refresh among concurrent callers, so many sends cost
/// one token request an hour.
/// </summary>
internal sealed class FcmAccessTokens(IOptions<FcmOptions> options, TimeProvider time)
{
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    private readonly Lazy<ServiceAccountCredential> _credential = new(() => Create(options.Value.ServiceAccountJson, time));
    private int _forceRefresh;

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        var credential = _credential.Value;
        if (Interlocked.Exchange(ref _forceRefresh, 0) == 1)
        {
            // Until a refresh succeeds the cached token is still the one FCM refused: a refresh that throws (token
            // endpoint down, timeout, cancellation) must leave the flag set, so the next send tries again.
            var refreshed = false;
            try
            {
                refreshed = await credential.RequestAccessTokenAsync(cancellationToken);
            }
            finally
            {
                if (!refreshed)
                {
                    Invalidate();
                }
            }
        }
        return await credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
    }

    /// <summary>FCM refused the token (401 without an FCM error): fetch a new one before the next send rather than trust the cache.</summary>
    public void Invalidate() => Volatile.Write(ref _forceRefresh, 1);

    private static ServiceAccountCredential Create(string json, TimeProvider time)
    {
        // CredentialFactory honours the JSON's token_uri (tests point it at a fake); the copy adds what the JSON
        // cannot say: the scope, our clock, and no retries of its own, since retries go through the queue.
        var parsed = CredentialFactory.FromJson<ServiceAccountCredential>(json);
        return new ServiceAccountCredential(new ServiceAccountCredential.Initializer(parsed.Id, parsed.TokenServerUrl)
        {
            ProjectId = parsed.ProjectId,
            KeyId = parsed.KeyId,
            Key = parsed.Key,
            UniverseDomain = parsed.UniverseDomain,
            Scopes = [Scope],
            Clock = new TimeProviderClock(time),
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
        });
    }

    private sealed class TimeProviderClock(TimeProvider time) : IClock
    {
        public DateTime Now => time.GetLocalNow().DateTime;

        public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
    }
}
