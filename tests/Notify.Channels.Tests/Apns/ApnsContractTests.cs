namespace Notify.Channels.Tests.Apns;

public sealed class ApnsContractTests : ProviderContractTests<ApnsFake>
{
    protected override Channel Channel => Channel.Push;

    protected override DevicePlatform? Platform => DevicePlatform.Apns;

    protected override string Recipient => "740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad";

    protected override IEnumerable<string> Credentials => [KeyLine(Fake.PrivateKeyPem)];

    /// <summary>APNs documents no Retry-After on 429 (TooManyRequests, TooManyProviderTokenUpdates); its fake sends none.</summary>
    protected override bool HonoursRetryAfter => false;

    protected override Task<ApnsFake> StartFakeAsync() => ApnsFake.StartNewAsync();

    private protected override ProviderHost CreateHost(ApnsFake fake) => ApnsTestHost.Create(fake);
}
