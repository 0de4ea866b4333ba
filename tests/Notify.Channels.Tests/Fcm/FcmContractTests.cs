namespace Notify.Channels.Tests.Fcm;

public sealed class FcmContractTests : ProviderContractTests<FcmFake>, IAsyncLifetime
{
    protected override Channel Channel => Channel.Push;

    protected override DevicePlatform? Platform => DevicePlatform.Fcm;

    protected override string Recipient => "fKq3-7pRRj2dV0xY1z:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx";

    protected override IEnumerable<string> Credentials =>
        [KeyLine(System.Text.Json.JsonDocument.Parse(Fake.ServiceAccountJson).RootElement.GetProperty("private_key").GetString()!)];

    protected override Task<FcmFake> StartFakeAsync() => FcmFake.StartNewAsync();

    private protected override ProviderHost CreateHost(FcmFake fake) => FcmTestHost.Create(fake);

    protected override bool IsAuthRequest(ReceivedRequest request) => request.Path == "/token";

    // Re-implemented so the access token is fetched before each test: the fake takes a queued fault on the
    // next request, and that must be the send, not the token request.
    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await Host.Services.GetRequiredService<Notify.Channels.Fcm.FcmAccessTokens>().GetAsync(TestContext.Current.CancellationToken);
    }
}
