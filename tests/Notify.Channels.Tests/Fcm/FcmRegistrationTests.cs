using System.Text.Json;


namespace Notify.Channels.Tests.Fcm;

/// <summary><c>AddNotifyChannels()</c> registers FCM from configuration, and only when it is configured.</summary>
public sealed class FcmRegistrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ServiceAccountJson()
    {
        using var key = RSA.Create(2048);
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "notify-test",
            ["private_key_id"] = "abc",
            ["private_key"] = key.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "sender@notify-test.iam.gserviceaccount.com",
            ["token_uri"] = "https://oauth2.googleapis.com/token",
        });
    }

    private static IHost Build(Dictionary<string, string?> settings) => ProviderHost.Channels(settings);

    private static ProviderRouter Router(IHost host) => ProviderHost.Router(host);

    [Fact]
    public async Task Without_any_fcm_setting_fcm_push_falls_back_to_the_outbox()
    {
        using var host = Build(new() { ["Notify:Providers:Fcm:ProjectId"] = " " });

        await host.StartAsync(Ct);

        Assert.Equal(ProviderRouter.OutboxName, Router(host).For(Channel.Push, DevicePlatform.Fcm).Name);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Service_account_without_a_project_id_fails_at_start_naming_the_project_id()
    {
        using var host = Build(new() { ["Notify:Providers:Fcm:ServiceAccountJson"] = ServiceAccountJson() });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Notify:Providers:Fcm:ProjectId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_project_id_fcm_push_goes_to_fcm_and_apns_push_does_not()
    {
        using var host = Build(new()
        {
            ["Notify:Providers:Fcm:ProjectId"] = "notify-test",
            ["Notify:Providers:Fcm:ServiceAccountJson"] = ServiceAccountJson(),
        });

        await host.StartAsync(Ct);

        var router = Router(host);
        Assert.Equal("fcm", router.For(Channel.Push, DevicePlatform.Fcm).Name);
        Assert.NotEqual("fcm", router.For(Channel.Push, DevicePlatform.Apns).Name);
        var options = host.Services.GetRequiredService<IOptions<Notify.Channels.Fcm.FcmOptions>>().Value;
        Assert.Equal(new Uri("https://fcm.googleapis.com/"), options.BaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Missing_service_account_json_fails_at_start_naming_the_setting()
    {
        using var host = Build(new() { ["Notify:Providers:Fcm:ProjectId"] = "notify-test" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Notify:Providers:Fcm:ServiceAccountJson", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_account_path_instead_of_content_fails_at_start_without_echoing_the_value()
    {
        const string path = "/home/site/secrets/notify-sa.json";
        using var host = Build(new()
        {
            ["Notify:Providers:Fcm:ProjectId"] = "notify-test",
            ["Notify:Providers:Fcm:ServiceAccountJson"] = path,
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Notify:Providers:Fcm:ServiceAccountJson is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_account_json_without_its_private_key_fails_at_start()
    {
        using var host = Build(new()
        {
            ["Notify:Providers:Fcm:ProjectId"] = "notify-test",
            ["Notify:Providers:Fcm:ServiceAccountJson"] = """{"type":"service_account","client_email":"sender@notify-test.iam.gserviceaccount.com"}""",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Notify:Providers:Fcm:ServiceAccountJson lacks private_key", error.Message, StringComparison.Ordinal);
    }
}
