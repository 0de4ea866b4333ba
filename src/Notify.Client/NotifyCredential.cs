namespace Notify.Client;

/// <summary>An app's key and secret, sent as HTTP Basic credentials on every call.</summary>
public sealed class NotifyCredential
{
    /// <param name="appKey">The app key (the Basic user name).</param>
    /// <param name="appSecret">One of the app's secrets (the Basic password).</param>
    public NotifyCredential(string appKey, string appSecret)
    {
        ArgumentException.ThrowIfNullOrEmpty(appKey);
        ArgumentException.ThrowIfNullOrEmpty(appSecret);
        AppKey = appKey;
        AppSecret = appSecret;
    }

    /// <summary>The app key.</summary>
    public string AppKey { get; }

    internal string AppSecret { get; }

    /// <summary>The key only: a credential never prints its secret.</summary>
    public override string ToString() => $"NotifyCredential({AppKey})";
}
