namespace Notify.Channels.Tests.SendGrid;

/// <summary>SendGrid as the app builds it (<c>AddSendGrid()</c> from configuration), pointed at a fake.</summary>
internal static class SendGridTestHost
{
    public const string ApiKey = "SG.test-key.5ecret";
    public const string FromEmail = "noreply@notify.test";
    public const string FromName = "Notify";

    /// <summary>Settings pointing at <paramref name="baseUrl"/>; <paramref name="change"/> edits them (a null value removes one).</summary>
    public static ProviderHost Create(Uri baseUrl, Action<Dictionary<string, string?>>? change = null, TimeProvider? time = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notify:Providers:SendGrid:ApiKey"] = ApiKey,
            ["Notify:Providers:SendGrid:FromEmail"] = FromEmail,
            ["Notify:Providers:SendGrid:FromName"] = FromName,
            ["Notify:Providers:SendGrid:BaseUrl"] = baseUrl.ToString(),
            // The contract's timeout fault holds 10 s; keep each test short.
            ["Notify:Providers:SendGrid:Timeout"] = "00:00:03",
        };
        change?.Invoke(settings);
        return ProviderHost.Create(settings, builder => builder.AddSendGrid(), time);
    }
}
