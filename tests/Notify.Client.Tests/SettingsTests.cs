using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Notify.Client.Tests;

/// <summary><c>services.AddNotifyClient()</c>: settings from Notify:Client, checked when the host starts.</summary>
public sealed class SettingsTests
{
    private static IHost Build(Dictionary<string, string?> settings, Action<NotifyClientSettings>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddNotifyClient(configure);
        return builder.Build();
    }

    [Fact]
    public async Task A_missing_setting_fails_the_start_naming_it()
    {
        using var host = Build(new() { ["Notify:Client:BaseUrl"] = "https://notify.example.com", ["Notify:Client:AppKey"] = "billing" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("AppSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_base_url_that_is_not_http_fails_the_start()
    {
        using var host = Build(new() { ["Notify:Client:BaseUrl"] = "ftp://notify.example.com", ["Notify:Client:AppKey"] = "billing", ["Notify:Client:AppSecret"] = "s" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("BaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_and_the_delegate_make_one_singleton_client()
    {
        using var host = Build(new() { ["Notify:Client:AppKey"] = "billing", ["Notify:Client:AppSecret"] = "s" }, o => o.BaseUrl = new Uri("https://notify.example.com/base"));

        var client = host.Services.GetRequiredService<NotifyClient>();

        Assert.Same(client, host.Services.GetRequiredService<NotifyClient>());
        Assert.Equal("https://notify.example.com/base/", client.Endpoint.ToString());
    }

    [Fact]
    public void The_credential_never_prints_its_secret()
    {
        var credential = new NotifyCredential("billing", "top-secret-value");

        Assert.DoesNotContain("top-secret-value", credential.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_model_factory_and_the_mocking_constructor_serve_tests_of_calling_code()
    {
        var mock = new CannedClient(NotifyModelFactory.NotifyUser("user-9", email: "ann@example.com"));

        var user = await mock.GetUserAsync("user-9", TestContext.Current.CancellationToken);

        Assert.Equal("ann@example.com", user.Email);
        Assert.Equal(1, NotifyModelFactory.UserImportResult([NotifyModelFactory.UserImportEntryResult(outcome: UserImportOutcome.Invalid)]).Invalid);
    }

    private sealed class CannedClient(NotifyUser user) : NotifyClient
    {
        public override Task<NotifyUser> GetUserAsync(string userId, CancellationToken cancellationToken = default) => Task.FromResult(user);
    }
}
