using Microsoft.Extensions.Logging;
using Notify.Storage;

namespace Notify.Channels.Tests.Failover;

/// <summary>
/// <c>Notify:Providers:Order:*</c> in the app's composition: the order the router uses, and the start refused, naming
/// the setting, for an unknown or unconfigured name or a half-configured secondary.
/// </summary>
public sealed class ProviderOrderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> AllFour() => new()
    {
        ["Storage"] = "UseDevelopmentStorage=true",
        ["Notify:Providers:SendGrid:ApiKey"] = "SG.key",
        ["Notify:Providers:SendGrid:FromEmail"] = "noreply@notify.test",
        ["Notify:Providers:Smtp:Host"] = "127.0.0.1",
        ["Notify:Providers:Smtp:FromEmail"] = "noreply@notify.test",
        ["Notify:Providers:Twilio:AccountSid"] = "AC0123456789abcdef0123456789abcdef",
        ["Notify:Providers:Twilio:AuthToken"] = "token",
        ["Notify:Providers:Twilio:FromNumber"] = "+14155550100",
        ["Notify:Providers:Vonage:ApiKey"] = "key",
        ["Notify:Providers:Vonage:ApiSecret"] = "secret",
        ["Notify:Providers:Vonage:From"] = "+14155550199",
    };

    private static IHost Build(Dictionary<string, string?> settings, RecordingLoggerProvider? logs = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        if (logs is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information).AddProvider(logs);
        }
        builder.AddNotifyCore();
        builder.AddNotifyStorage();
        builder.AddNotifyChannels();
        return builder.Build();
    }

    /// <summary>Only the channels (no storage to reach), so the host can start: what the router and the start log say.</summary>
    private static IHost Channels(Dictionary<string, string?> settings, RecordingLoggerProvider? logs = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        if (logs is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information).AddProvider(logs);
        }
        builder.Services.AddSingleton<IOutbox, NoOutbox>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ProviderRouter>();
        builder.AddNotifyChannels();
        return builder.Build();
    }

    private sealed class NoOutbox : IOutbox
    {
        public Task RecordAsync(OutboxEntry entry, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<OutboxEntry>> ListAsync(string userId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<OutboxEntry>>([]);
    }

    [Fact]
    public async Task Without_an_order_each_channel_uses_its_configured_providers_primary_first_and_says_so_at_start()
    {
        var logs = new RecordingLoggerProvider();
        using var host = Channels(AllFour(), logs);
        await host.StartAsync(Ct);
        await host.StopAsync(Ct);

        var router = host.Services.GetRequiredService<ProviderRouter>();
        Assert.Equal(["sendgrid", "smtp"], router.Order(Channel.Email, null).Select(p => p.Name));
        Assert.Equal(["twilio", "vonage"], router.Order(Channel.Sms, null).Select(p => p.Name));
        Assert.Contains(logs.Entries, e => e.Text.Contains("Channel sms delivers through twilio then vonage", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_order_setting_puts_smtp_first()
    {
        var settings = AllFour();
        settings["Notify:Providers:Order:Email"] = "smtp,sendgrid";
        using var host = Channels(settings);
        await host.StartAsync(Ct);
        await host.StopAsync(Ct);

        Assert.Equal(["smtp", "sendgrid"], host.Services.GetRequiredService<ProviderRouter>().Order(Channel.Email, null).Select(p => p.Name));
    }

    [Theory]
    [InlineData("Notify:Providers:Order:Email", "sendgrid,mailgun", "mailgun")]
    [InlineData("Notify:Providers:Order:Sms", "twilio,smtp", "smtp")]
    [InlineData("Notify:Providers:Order:Sms", "twilio,twilio", "twice")]
    [InlineData("Notify:Providers:Order:Email", "sendgrid,fcm", "fcm")]
    [InlineData("Notify:Providers:Order:Email", "smtp,sendgird", "sendgird")]
    public async Task An_unknown_name_in_the_order_stops_the_start_naming_the_setting(string key, string value, string named)
    {
        var settings = AllFour();
        settings[key] = value;
        using var host = Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_order_naming_a_provider_without_settings_stops_the_start_naming_both()
    {
        var settings = AllFour();
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Notify:Providers:Vonage:", StringComparison.Ordinal)).ToList())
        {
            settings[key] = null;
        }
        settings["Notify:Providers:Order:Sms"] = "twilio,vonage";
        using var host = Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Notify:Providers:Order:Sms", error.Message, StringComparison.Ordinal);
        Assert.Contains("Notify:Providers:Vonage", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Notify:Providers:Vonage:ApiSecret", null)]
    [InlineData("Notify:Providers:Vonage:From", null)]
    [InlineData("Notify:Providers:Smtp:Host", null)]
    [InlineData("Notify:Providers:Smtp:FromEmail", null)]
    [InlineData("Notify:Providers:Vonage:ApiSecret", "twilio,vonage")]
    [InlineData("Notify:Providers:Smtp:Host", "sendgrid,smtp")]
    public async Task A_half_configured_secondary_stops_the_start_naming_its_missing_setting(string missing, string? order)
    {
        var settings = AllFour();
        settings[missing] = null;
        if (order is not null)
        {
            settings[missing.Contains("Smtp", StringComparison.Ordinal) ? "Notify:Providers:Order:Email" : "Notify:Providers:Order:Sms"] = order;
        }
        using var host = Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
