using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Notify.Channels.Apns;
using Notify.Channels.Tests.Apns;
using Notify.Channels.Tests.Fcm;
using Notify.Channels.Tests.SendGrid;
using Notify.Channels.Tests.Twilio;
using Notify.Core.Apps;
using Notify.LocalHost;

namespace Notify.Channels.Tests.EndToEnd;

/// <summary>
/// The pipeline with all four real providers, each pointed at its fake: one notification to a user with an
/// FCM device, an APNs device, an e-mail address and a phone number is four provider calls and four
/// <c>sent</c> deliveries.
/// </summary>
public sealed class FourProvidersEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_notification_reaches_fcm_apns_sendgrid_and_twilio_and_all_four_end_sent()
    {
        await using var fcm = await FcmFake.StartNewAsync();
        await using var apns = await ApnsFake.StartNewAsync();
        await using var sendGrid = new SendGridFake(SendGridTestHost.ApiKey);
        await sendGrid.StartAsync();
        await using var twilio = new TwilioFake(TwilioTestHost.AccountSid, TwilioTestHost.AuthToken);
        await twilio.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Storage"] = Azurite.ConnectionString,
            ["Storage:NamePrefix"] = "e2e" + Guid.NewGuid().ToString("N")[..8],
            ["LocalHost:Timers"] = "false",
            ["extensions:queues:maxPollingInterval"] = "00:00:00.200",
            ["Notify:Providers:SendGrid:ApiKey"] = SendGridTestHost.ApiKey,
            ["Notify:Providers:SendGrid:FromEmail"] = SendGridTestHost.FromEmail,
            ["Notify:Providers:SendGrid:BaseUrl"] = sendGrid.BaseAddress.ToString(),
            ["Notify:Providers:Twilio:AccountSid"] = TwilioTestHost.AccountSid,
            ["Notify:Providers:Twilio:AuthToken"] = TwilioTestHost.AuthToken,
            ["Notify:Providers:Twilio:FromNumber"] = TwilioTestHost.FromNumber,
            ["Notify:Providers:Twilio:BaseUrl"] = twilio.BaseAddress.ToString(),
        };
        foreach (var (key, value) in FcmTestHost.Settings(fcm).Concat(ApnsTestHost.Settings(apns)))
        {
            settings[key] = value;
        }
        var thumbprint = apns.Certificate.GetCertHashString(HashAlgorithmName.SHA256);
        await using var host = new WebApplicationFactory<LocalHostMarker>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            // Trust exactly the APNs fake's self-signed certificate; production validation is untouched.
            builder.ConfigureTestServices(services => services.AddHttpClient(ApnsProvider.HttpClientName).ConfigurePrimaryHttpMessageHandler((handler, _) =>
                ((SocketsHttpHandler)handler).SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint));
        });
        var secret = AppSecrets.NewSecret();
        var appKey = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        await host.Services.GetRequiredService<IAppStore>().PutAsync(new AppRecord(appKey, appKey, [AppSecrets.Hash(secret)], Scopes.All, false, DateTimeOffset.UtcNow), Ct);
        var http = host.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{appKey}:{secret}")));

        async Task Put(string path, string json) =>
            Assert.True((await http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Ct)).IsSuccessStatusCode, path);
        await Put("/api/v1/templates/order-shipped", """
            {"defaultLocale":"en","channels":{
              "push":{"title":"Order {{ data.order }}","body":"Shipped, {{ data.name }}"},
              "email":{"subject":"Order {{ data.order }} shipped","html":"<p>Hi {{ data.name }}</p>","text":"Hi {{ data.name }}"},
              "sms":{"body":"Order {{ data.order }} shipped"}}}
            """);
        await Put("/api/v1/users/ann", """{"email":"ann@example.com","phone":"+14155550123","locale":"en"}""");
        await Put("/api/v1/users/ann/devices/fcm-token-0123456789", """{"platform":"fcm"}""");
        await Put($"/api/v1/users/ann/devices/{new string('a', 64)}", """{"platform":"apns"}""");

        var response = await http.PostAsync("/api/v1/notifications", new StringContent(
            """{"eventId":"e2e-1","template":"order-shipped","recipients":["ann"],"data":{"order":"42","name":"Ann"}}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var ids = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(4, ids.Count);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var statuses = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            statuses = [];
            foreach (var id in ids)
            {
                statuses.Add(JsonNode.Parse(await http.GetStringAsync($"/api/v1/notifications/{id}", Ct))!["status"]!.GetValue<string>());
            }
            if (statuses.All(s => s == "sent"))
            {
                break;
            }
            await Task.Delay(200, Ct);
        }
        Assert.Equal(["sent", "sent", "sent", "sent"], statuses);
        Assert.Single(fcm.Received, r => r.Path.EndsWith("messages:send", StringComparison.Ordinal));
        Assert.Single(apns.Received, r => r.Path.StartsWith("/3/device/", StringComparison.Ordinal));
        Assert.Single(sendGrid.Mails);
        Assert.Single(twilio.Forms);
    }
}
