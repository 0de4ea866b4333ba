namespace Notify.Channels.Tests.Twilio;

/// <summary>Twilio as the app builds it (<c>AddTwilio()</c> from configuration), pointed at a fake.</summary>
internal static class TwilioTestHost
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "auth-token-5ecret";
    public const string FromNumber = "+14155550100";
    public const string MessagingServiceSid = "MG0123456789abcdef0123456789abcdef";
    public const string StatusCallbackUrl = "https://notify.test/api/v1/webhooks/twilio?app=notify";

    /// <summary>Settings pointing at <paramref name="baseUrl"/>; <paramref name="change"/> edits them (a null value removes one).</summary>
    public static ProviderHost Create(Uri? baseUrl, Action<Dictionary<string, string?>>? change = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notify:Providers:Twilio:AccountSid"] = AccountSid,
            ["Notify:Providers:Twilio:AuthToken"] = AuthToken,
            ["Notify:Providers:Twilio:FromNumber"] = FromNumber,
            ["Notify:Providers:Twilio:BaseUrl"] = baseUrl?.ToString(),
            ["Notify:Providers:Twilio:StatusCallbackUrl"] = StatusCallbackUrl,
            // The contract's timeout fault holds 10 s; keep each test short.
            ["Notify:Providers:Twilio:Timeout"] = "00:00:03",
        };
        change?.Invoke(settings);
        return ProviderHost.Create(settings, builder => builder.AddTwilio());
    }
}
