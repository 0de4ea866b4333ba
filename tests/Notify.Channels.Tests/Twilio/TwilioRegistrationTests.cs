namespace Notify.Channels.Tests.Twilio;

public sealed class TwilioRegistrationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void Without_any_twilio_setting_AddTwilio_registers_nothing()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Notify:Providers:Twilio:AccountSid"] = "" });

        builder.AddTwilio();

        using var host = builder.Build();
        Assert.Empty(host.Services.GetServices<IDeliveryProvider>());
    }

    [Fact]
    public async Task With_an_account_sid_AddTwilio_registers_an_sms_only_provider()
    {
        await using var host = TwilioTestHost.Create(null);

        var provider = host.Provider;

        Assert.Equal("twilio", provider.Name);
        Assert.True(provider.CanSend(Channel.Sms, null));
        Assert.False(provider.CanSend(Channel.Email, null));
        Assert.False(provider.CanSend(Channel.Push, DevicePlatform.Apns));
    }

    [Fact]
    public async Task Valid_settings_start()
    {
        await using var host = TwilioTestHost.Create(null);

        await host.Host.StartAsync(Token);
        await host.Host.StopAsync(Token);
    }

    [Theory]
    [InlineData("Notify:Providers:Twilio:AccountSid", null)]
    [InlineData("Notify:Providers:Twilio:AuthToken", null)]
    [InlineData("Notify:Providers:Twilio:AccountSid", "not-a-sid")]
    [InlineData("Notify:Providers:Twilio:FromNumber", "4155550100 ext 2")]
    [InlineData("Notify:Providers:Twilio:StatusCallbackUrl", "/relative")]
    public async Task Invalid_setting_fails_at_start_naming_it(string key, string? value)
    {
        await using var host = TwilioTestHost.Create(null, s => s[key] = value);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync(Token));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Neither_from_number_nor_messaging_service_fails_at_start_naming_both()
    {
        await using var host = TwilioTestHost.Create(null, s => s["Notify:Providers:Twilio:FromNumber"] = null);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync(Token));

        Assert.Contains("Notify:Providers:Twilio:FromNumber", error.Message, StringComparison.Ordinal);
        Assert.Contains("Notify:Providers:Twilio:MessagingServiceSid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_from_number_and_messaging_service_fail_at_start()
    {
        await using var host = TwilioTestHost.Create(null, s => s["Notify:Providers:Twilio:MessagingServiceSid"] = TwilioTestHost.MessagingServiceSid);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync(Token));

        Assert.Contains("exactly one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alphanumeric_sender_id_is_accepted_as_from()
    {
        await using var host = TwilioTestHost.Create(null, s => s["Notify:Providers:Twilio:FromNumber"] = "Notify");

        await host.Host.StartAsync(Token);
        await host.Host.StopAsync(Token);
    }

    [Fact]
    public async Task Without_base_url_requests_go_to_api_twilio_com()
    {
        await using var host = TwilioTestHost.Create(null);

        var options = host.Host.Services.GetRequiredService<IOptions<Notify.Channels.Twilio.TwilioOptions>>().Value;

        Assert.Null(options.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
    }

    [Fact]
    public void AddNotifyChannels_routes_sms_to_twilio_once_its_account_sid_is_set()
    {
        using var host = ProviderHost.Channels(new Dictionary<string, string?>
        {
            ["Notify:Providers:Twilio:AccountSid"] = TwilioTestHost.AccountSid,
            ["Notify:Providers:Twilio:AuthToken"] = TwilioTestHost.AuthToken,
            ["Notify:Providers:Twilio:FromNumber"] = TwilioTestHost.FromNumber,
        });

        var router = ProviderHost.Router(host);

        Assert.Equal("twilio", router.For(Channel.Sms, null).Name);
        Assert.Equal(ProviderRouter.OutboxName, router.For(Channel.Email, null).Name);
    }
}
