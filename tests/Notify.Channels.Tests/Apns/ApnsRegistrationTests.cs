using Notify.Channels.Apns;


namespace Notify.Channels.Tests.Apns;

/// <summary><c>AddNotifyChannels()</c> registers APNs from configuration, and only when it is configured.</summary>
public sealed class ApnsRegistrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Valid()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new()
        {
            ["Notify:Providers:Apns:KeyId"] = "ABC123DEFG",
            ["Notify:Providers:Apns:TeamId"] = "DEF123GHIJ",
            ["Notify:Providers:Apns:PrivateKey"] = key.ExportPkcs8PrivateKeyPem(),
            ["Notify:Providers:Apns:Topic"] = "com.example.notify",
            ["Notify:Providers:Apns:Environment"] = "production",
        };
    }

    private static IHost Build(Dictionary<string, string?> settings) => ProviderHost.Channels(settings);

    private static ProviderRouter Router(IHost host) => ProviderHost.Router(host);

    [Fact]
    public async Task Without_any_apns_setting_apns_push_falls_back_to_the_outbox()
    {
        using var host = Build([]);

        await host.StartAsync(Ct);

        Assert.Equal(ProviderRouter.OutboxName, Router(host).For(Channel.Push, DevicePlatform.Apns).Name);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task With_a_key_id_apns_push_goes_to_apns_on_the_environment_host()
    {
        using var host = Build(Valid());

        await host.StartAsync(Ct);

        Assert.Equal("apns", Router(host).For(Channel.Push, DevicePlatform.Apns).Name);
        Assert.NotEqual("apns", Router(host).For(Channel.Push, DevicePlatform.Fcm).Name);
        var options = host.Services.GetRequiredService<IOptions<ApnsOptions>>().Value;
        Assert.Equal(new Uri("https://api.push.apple.com/"), options.ServiceUrl);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        await host.StopAsync(Ct);
    }

    [Fact]
    public void Sandbox_environment_selects_the_sandbox_host()
    {
        var options = new ApnsOptions { Environment = "sandbox" };

        Assert.Equal(new Uri("https://api.sandbox.push.apple.com/"), options.ServiceUrl);
    }

    [Theory]
    [InlineData("Notify:Providers:Apns:KeyId")]
    [InlineData("Notify:Providers:Apns:TeamId")]
    [InlineData("Notify:Providers:Apns:PrivateKey")]
    [InlineData("Notify:Providers:Apns:Topic")]
    [InlineData("Notify:Providers:Apns:Environment")]
    public async Task Missing_required_setting_fails_at_start_naming_it(string setting)
    {
        var settings = Valid();
        settings.Remove(setting);
        using var host = Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_environment_fails_at_start()
    {
        var settings = Valid();
        settings["Notify:Providers:Apns:Environment"] = "development";
        using var host = Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Notify:Providers:Apns:Environment must be sandbox or production", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Private_key_that_is_not_pem_fails_at_start_without_echoing_it()
    {
        const string notAKey = "AuthKey_ABC123DEFG.p8";
        var settings = Valid();
        settings["Notify:Providers:Apns:PrivateKey"] = notAKey;
        using var host = Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Notify:Providers:Apns:PrivateKey is not a PEM private key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(notAKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Private_key_with_escaped_line_breaks_is_accepted()
    {
        var settings = Valid();
        settings["Notify:Providers:Apns:PrivateKey"] = settings["Notify:Providers:Apns:PrivateKey"]!.Replace("\n", "\\n", StringComparison.Ordinal);
        using var host = Build(settings);

        await host.StartAsync(Ct);

        await host.StopAsync(Ct);
    }
}
