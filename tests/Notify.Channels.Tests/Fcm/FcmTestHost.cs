namespace Notify.Channels.Tests.Fcm;

/// <summary>FCM as the app builds it (<c>AddFcm()</c> from configuration), pointed at a fake.</summary>
internal static class FcmTestHost
{
    public static Dictionary<string, string?> Settings(FcmFake fake) => new()
    {
        ["Notify:Providers:Fcm:ProjectId"] = FcmFake.ProjectId,
        ["Notify:Providers:Fcm:ServiceAccountJson"] = fake.ServiceAccountJson,
        ["Notify:Providers:Fcm:BaseUrl"] = fake.BaseAddress.ToString(),
        // Under the fake's 10 s hold, so a timeout test ends, yet room for a cold first connection and the token
        // request (an RSA signature) on a loaded 2-core machine: 2 s timed out there.
        ["Notify:Providers:Fcm:Timeout"] = "00:00:05",
    };

    public static ProviderHost Create(FcmFake fake, TimeProvider? time = null) => Create(Settings(fake), time);

    public static ProviderHost Create(Dictionary<string, string?> settings, TimeProvider? time = null) =>
        ProviderHost.Create(settings, builder => builder.AddFcm(), time);
}
