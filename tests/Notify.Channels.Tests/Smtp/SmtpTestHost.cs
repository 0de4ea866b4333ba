namespace Notify.Channels.Tests.Smtp;

/// <summary>SMTP as the app builds it (<c>AddSmtp()</c> from configuration), pointed at the fake relay.</summary>
internal static class SmtpTestHost
{
    public const string UserName = "relay-user";
    public const string Password = "relay-pa55word";
    public const string FromEmail = "noreply@notify.test";
    public const string FromName = "Notify";

    /// <summary>Settings pointing at 127.0.0.1:<paramref name="port"/>; <paramref name="change"/> edits them (a null value removes one).</summary>
    public static ProviderHost Create(int port, Action<Dictionary<string, string?>>? change = null)
    {
        var settings = Settings(port);
        change?.Invoke(settings);
        return ProviderHost.Create(settings, builder => builder.AddSmtp());
    }

    public static Dictionary<string, string?> Settings(int port) => new()
    {
        ["Notify:Providers:Smtp:Host"] = "127.0.0.1",
        ["Notify:Providers:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // The fake has no certificate; production relays use StartTls (the default) or Tls.
        ["Notify:Providers:Smtp:Security"] = "None",
        ["Notify:Providers:Smtp:UserName"] = UserName,
        ["Notify:Providers:Smtp:Password"] = Password,
        ["Notify:Providers:Smtp:FromEmail"] = FromEmail,
        ["Notify:Providers:Smtp:FromName"] = FromName,
        // The contract's timeout fault holds 10 s; keep each test short.
        ["Notify:Providers:Smtp:Timeout"] = "00:00:01",
    };
}
