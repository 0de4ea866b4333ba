using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Notify.IntegrationTests.Webhooks;

/// <summary>Settings and calls the webhook tests share.</summary>
public static class WebhookKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Local receivers on 127.0.0.1 over http, short retries, timeout and breaker, so failures play out in seconds.</summary>
    public static Dictionary<string, string?> LocalSettings(int maxEndpoints = 20) => new()
    {
        ["Notify:Webhooks:AllowedNetworks:0"] = "127.0.0.1/32",
        ["Notify:Webhooks:AllowHttpHosts:0"] = "127.0.0.1",
        ["Notify:Webhooks:RetrySchedule"] = "00:00:00.200,00:00:00.400,00:00:00.800,00:00:01,00:00:01,00:00:02,00:00:02,00:00:02,00:00:03,00:00:03,00:00:03,00:00:03,00:00:03,00:00:03,00:00:03,00:00:03",
        ["Notify:Webhooks:Timeout"] = "00:00:01",
        ["Notify:Webhooks:BreakDuration"] = "00:00:01",
        ["Notify:Webhooks:BreakerSamplingDuration"] = "00:00:05",
        ["Notify:Webhooks:MaxEndpointsPerApp"] = maxEndpoints.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static async Task<(HttpResponseMessage Response, JsonNode Body)> CreateAsync(ApiClient api, string json)
    {
        var response = await api.PostJsonAsync("/api/v1/webhooks/endpoints", json);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response, JsonNode.Parse(text.Length == 0 ? "{}" : text)!);
    }

    /// <summary>An endpoint at <paramref name="receiver"/>; returns its id and secret.</summary>
    public static async Task<(string Id, string Secret)> EndpointAsync(ApiClient api, WebhookReceiver receiver, string eventTypes = """["delivery.sent"]""")
    {
        var (response, body) = await CreateAsync(api, $$"""{"url":"{{receiver.Url}}","eventTypes":{{eventTypes}}}""");
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return (body["id"]!.GetValue<string>(), body["secret"]!.GetValue<string>());
    }

    /// <summary>
    /// Checks the signature with the StandardWebhooks package, not Notify's code; throws when it does not verify.
    /// With two signatures (a rotation's overlap) each is checked on its own: the package's loop over a
    /// space-separated header stops after the first entry.
    /// </summary>
    public static void Verify(string secret, ReceivedRequest request)
    {
        if (!Verifies(secret, request))
        {
            throw new WebhookVerificationException("No signature in the request verifies with this secret.");
        }
    }

    public static bool Verifies(string secret, ReceivedRequest request) =>
        request.Headers["webhook-signature"].Split(' ').Any(signature => VerifiesOne(secret, request, signature));

    private static bool VerifiesOne(string secret, ReceivedRequest request, string signature)
    {
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = request.Headers["webhook-id"],
            ["webhook-timestamp"] = request.Headers["webhook-timestamp"],
            ["webhook-signature"] = signature,
        };
        try
        {
            new StandardWebhook(secret).Verify(request.Body, headers);
            return true;
        }
        catch (WebhookVerificationException)
        {
            return false;
        }
    }
}
