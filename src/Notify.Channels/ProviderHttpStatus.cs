namespace Notify.Channels;

/// <summary>What an HTTP status alone says about a send, whatever the body (docs/providers-email-sms.md, "Front-end error pages").</summary>
internal static class ProviderHttpStatus
{
    /// <summary>
    /// 504 Gateway Timeout: the provider's front end passed the request on and gave up waiting for the answer, so the
    /// provider may have taken the message. Like our own timeout it is retried on the same provider and never fails
    /// over (a second provider would send a duplicate); every other 5xx, and 429, says the message was not taken.
    /// </summary>
    public const int GatewayTimeout = 504;
}
