namespace Notify.Channels.Tests.Vonage;

/// <summary>The shared provider contract, then what is particular to the Vonage SMS API.</summary>
public sealed class VonageContractTests : ProviderContractTests<VonageFake>
{
    protected override Channel Channel => Channel.Sms;

    protected override string Recipient => "+14155550101";

    protected override bool CanFailOver => true;

    protected override IEnumerable<string> Credentials => [VonageTestHost.ApiSecret];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    protected override async Task<VonageFake> StartFakeAsync()
    {
        var fake = new VonageFake(VonageTestHost.ApiKey, VonageTestHost.ApiSecret);
        await fake.StartAsync();
        return fake;
    }

    private protected override ProviderHost CreateHost(VonageFake fake) => VonageTestHost.Create(fake.BaseAddress);

    [Fact]
    public async Task Send_posts_the_form_fields_with_numbers_without_plus_and_the_delivery_id_as_client_ref()
    {
        var outcome = await Provider.SendAsync(Message("delivery-42"), Token);

        Assert.IsType<DeliveryOutcome.Sent>(outcome);
        var request = Assert.Single(Fake.Received);
        Assert.Equal("/sms/json", request.Path);
        Assert.StartsWith("application/x-www-form-urlencoded", request.Headers["content-type"], StringComparison.Ordinal);
        var form = Assert.Single(Fake.Forms);
        Assert.Equal(VonageTestHost.ApiKey, form["api_key"]);
        Assert.Equal(VonageTestHost.ApiSecret, form["api_secret"]);
        Assert.Equal("14155550199", form["from"]);
        Assert.Equal("14155550101", form["to"]);
        Assert.Equal("Your order shipped", form["text"]);
        Assert.Equal("delivery-42", form["client-ref"]);
        Assert.False(form.ContainsKey("type"));
    }

    [Fact]
    public async Task Text_outside_gsm_is_sent_as_unicode()
    {
        await Provider.SendAsync(Message() with { Content = new Notify.Core.Templates.RenderedContent(Body: "Größe ✓") }, Token);

        Assert.Equal("unicode", Assert.Single(Fake.Forms)["type"]);
    }

    [Theory]
    [InlineData("1", "Throttled", typeof(DeliveryOutcome.Transient))]
    [InlineData("2", "Missing to param", typeof(DeliveryOutcome.Permanent))]
    [InlineData("3", "Invalid to param", typeof(DeliveryOutcome.Permanent))]
    [InlineData("4", "Bad Credentials", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData("5", "Internal Error", typeof(DeliveryOutcome.Transient))]
    [InlineData("6", "Invalid Message", typeof(DeliveryOutcome.Permanent))]
    [InlineData("7", "Number barred.", typeof(DeliveryOutcome.InvalidRecipient))]
    [InlineData("8", "Partner Account barred", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData("9", "Partner quota exceeded", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData("10", "Too many existing binds", typeof(DeliveryOutcome.Transient))]
    [InlineData("11", "Account not enabled for HTTP", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData("12", "Message too long", typeof(DeliveryOutcome.Permanent))]
    [InlineData("14", "Invalid Signature", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData("15", "Illegal Sender Address - rejected", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData("22", "Invalid network code", typeof(DeliveryOutcome.Permanent))]
    [InlineData("23", "Invalid callback url", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData("29", "Non White-listed Destination - rejected", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData("32", "Signature and api secret disallowed", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData("33", "Number de-activated", typeof(DeliveryOutcome.InvalidRecipient))]
    [InlineData("99", "Something new", typeof(DeliveryOutcome.Permanent))]
    public async Task Status_maps_to_its_outcome_class_with_the_status_as_code(string status, string errorText, Type expected)
    {
        Fake.RespondNext(status, errorText);

        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.IsType(expected, outcome);
        Assert.Contains($"vonage-{status}", outcome.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Barred_number_is_an_opt_out_coded_vonage_7()
    {
        var outcome = await Provider.SendAsync(Message() with { To = VonageFake.BarredNumber }, Token);

        var invalid = Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome);
        Assert.Equal("vonage-7", invalid.Code);
        Assert.True(invalid.OptedOut);
    }

    [Fact]
    public async Task Wrong_base_url_answering_404_is_misconfiguration()
    {
        await using var host = VonageTestHost.Create(new Uri(Fake.BaseAddress, "nowhere/"));

        var outcome = await host.Provider.SendAsync(Message(), Token);

        Assert.Equal("http-404", Assert.IsType<DeliveryOutcome.Misconfigured>(outcome).Code);
    }

    [Fact]
    public async Task Message_without_a_body_is_permanent_and_never_reaches_vonage()
    {
        var outcome = await Provider.SendAsync(Message() with { Content = new Notify.Core.Templates.RenderedContent() }, Token);

        Assert.Equal("empty-body", Assert.IsType<DeliveryOutcome.Permanent>(outcome).Code);
        Assert.Empty(Fake.Received);
    }

    [Theory]
    [InlineData("Notify:Providers:Vonage:ApiKey", null)]
    [InlineData("Notify:Providers:Vonage:ApiSecret", null)]
    [InlineData("Notify:Providers:Vonage:From", null)]
    [InlineData("Notify:Providers:Vonage:From", "not a sender id!")]
    [InlineData("Notify:Providers:Vonage:StatusCallbackUrl", "/relative")]
    public async Task Invalid_setting_fails_at_start_naming_it(string key, string? value)
    {
        await using var host = VonageTestHost.Create(Fake.BaseAddress, s => s[key] = value);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync(Token));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
