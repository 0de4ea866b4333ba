namespace Notify.Channels.Tests.SendGrid;

public sealed class SendGridRegistrationTests
{
    private static readonly Uri Unused = new("http://127.0.0.1:1/");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void Without_any_sendgrid_setting_AddSendGrid_registers_nothing()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Notify:Providers:SendGrid:ApiKey"] = "" });

        builder.AddSendGrid();

        using var host = builder.Build();
        Assert.Empty(host.Services.GetServices<IDeliveryProvider>());
    }

    [Fact]
    public async Task With_an_api_key_AddSendGrid_registers_an_email_only_provider()
    {
        await using var host = SendGridTestHost.Create(Unused);

        var provider = host.Provider;

        Assert.Equal("sendgrid", provider.Name);
        Assert.True(provider.CanSend(Channel.Email, null));
        Assert.False(provider.CanSend(Channel.Sms, null));
        Assert.False(provider.CanSend(Channel.Push, DevicePlatform.Fcm));
    }

    [Fact]
    public async Task Default_base_url_and_timeout_are_sendgrids_api_and_ten_seconds()
    {
        await using var host = SendGridTestHost.Create(Unused, s =>
        {
            s["Notify:Providers:SendGrid:BaseUrl"] = null;
            s["Notify:Providers:SendGrid:Timeout"] = null;
        });

        var options = host.Host.Services.GetRequiredService<IOptions<Notify.Channels.SendGrid.SendGridOptions>>().Value;

        Assert.Equal(new Uri("https://api.sendgrid.com"), options.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
    }

    [Theory]
    [InlineData("Notify:Providers:SendGrid:ApiKey", null)]
    [InlineData("Notify:Providers:SendGrid:FromEmail", null)]
    [InlineData("Notify:Providers:SendGrid:FromEmail", "not an address")]
    [InlineData("Notify:Providers:SendGrid:BaseUrl", "/relative")]
    [InlineData("Notify:Providers:SendGrid:Timeout", "00:30:00")]
    public async Task Invalid_setting_fails_at_start_naming_it(string key, string? value)
    {
        await using var host = SendGridTestHost.Create(Unused, s => s[key] = value);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync(Token));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddNotifyChannels_routes_email_to_sendgrid_once_its_api_key_is_set()
    {
        using var host = ProviderHost.Channels(new Dictionary<string, string?>
        {
            ["Notify:Providers:SendGrid:ApiKey"] = SendGridTestHost.ApiKey,
            ["Notify:Providers:SendGrid:FromEmail"] = SendGridTestHost.FromEmail,
        });

        var router = ProviderHost.Router(host);

        Assert.Equal("sendgrid", router.For(Channel.Email, null).Name);
        Assert.Equal(ProviderRouter.OutboxName, router.For(Channel.Sms, null).Name);
    }
}
