namespace Notify.Channels.Tests.Vonage;

/// <summary>Vonage as the app builds it (<c>AddVonage()</c> from configuration), pointed at a fake.</summary>
internal static class VonageTestHost
{
    public const string ApiKey = "abcd1234";
    public const string ApiSecret = "vonage-5ecret";
    public const string From = "+14155550199";

    public static ProviderHost Create(Uri baseUrl, Action<Dictionary<string, string?>>? change = null)
    {
        var settings = Settings(baseUrl);
        change?.Invoke(settings);
        return ProviderHost.Create(settings, builder => builder.AddVonage());
    }

    public static Dictionary<string, string?> Settings(Uri baseUrl) => new()
    {
        ["Notify:Providers:Vonage:ApiKey"] = ApiKey,
        ["Notify:Providers:Vonage:ApiSecret"] = ApiSecret,
        ["Notify:Providers:Vonage:From"] = From,
        ["Notify:Providers:Vonage:BaseUrl"] = baseUrl.ToString(),
        // The contract's timeout fault holds 10 s; keep each test short.
        ["Notify:Providers:Vonage:Timeout"] = "00:00:01",
    };
}
