namespace Notify.Core.Tests.Delivery;

public sealed class ProviderRouterTests
{
    private sealed class Named(string name, Channel channel) : IDeliveryProvider
    {
        public string Name => name;

        public bool CanSend(Channel c, DevicePlatform? platform) => c == channel || name == ProviderRouter.OutboxName;

        public Task<DeliveryOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken) =>
            Task.FromResult<DeliveryOutcome>(new DeliveryOutcome.Sent(null));
    }

    private static readonly IDeliveryProvider[] Registered =
    [
        new Named("sendgrid", Channel.Email), new Named("smtp", Channel.Email),
        new Named("twilio", Channel.Sms), new Named("vonage", Channel.Sms),
        new Named(ProviderRouter.OutboxName, Channel.Push),
    ];

    private static ProviderRouter Router(string? email = null, string? sms = null) =>
        new(Registered, Options.Create(new ProviderOrderOptions { Email = email, Sms = sms }));

    [Fact]
    public void Without_an_order_the_registration_order_is_the_priority()
    {
        Assert.Equal(["sendgrid", "smtp"], Router().Order(Channel.Email, null).Select(p => p.Name));
        Assert.Equal(["twilio", "vonage"], Router().Order(Channel.Sms, null).Select(p => p.Name));
    }

    [Fact]
    public void The_order_setting_decides_the_priority_and_leaves_out_the_ones_it_does_not_name()
    {
        Assert.Equal(["smtp", "sendgrid"], Router(email: "smtp, SendGrid").Order(Channel.Email, null).Select(p => p.Name));
        Assert.Equal(["vonage"], Router(sms: "vonage").Order(Channel.Sms, null).Select(p => p.Name));
    }

    [Fact]
    public void An_attempt_goes_to_the_provider_its_message_names_else_the_first()
    {
        Assert.Equal("vonage", Router().For(Channel.Sms, null, "vonage").Name);
        Assert.Equal("twilio", Router().For(Channel.Sms, null, null).Name);
        Assert.Equal("twilio", Router(sms: "twilio").For(Channel.Sms, null, "vonage").Name);
    }

    [Fact]
    public void A_channel_without_a_provider_goes_to_the_outbox()
    {
        Assert.Equal(ProviderRouter.OutboxName, Router().For(Channel.Push, DevicePlatform.Fcm).Name);
    }
}
