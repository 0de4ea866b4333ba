using System.Text;

namespace Notify.IntegrationTests.Security;

/// <summary>Per-app quota, failed-authentication throttling and configurable input limits.</summary>
public sealed class AbuseLimitTests
{
    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task The_request_past_the_quota_is_429_with_retry_after_and_enqueues_nothing()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Security:Quota:RequestsPerSecond"] = "0.01",
            ["Notify:Security:Quota:Burst"] = "3",
        });
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var (accepted, _) = await api.SendAsync(NewEventId(), template, [user], channels: """["email"]""");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        var eventId = NewEventId();
        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.TooManyRequests,
            () => api.PostJsonAsync("/api/v1/notifications", $$$"""{"eventId":"{{{eventId}}}","template":"{{{template}}}","recipients":["{{{user}}}"],"channels":["email"],"data":{"name":"A","code":"1"}}"""),
            "the request past the budget");

        Assert.Equal(429, problem["status"]!.GetValue<int>());
        var again = await api.Http.GetAsync($"/api/v1/notifications?eventId={eventId}", SecurityKit.Ct);
        var retryAfter = Assert.Single(again.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 100);
        // Another app has its own budget, and the refused event was never logged.
        var other = await host.NewAppAsync(Scopes.NotificationsRead);
        Assert.Empty((await other.GetJsonAsync($"/api/v1/notifications?eventId={eventId}"))["deliveries"]!.AsArray());
    }

    [Fact]
    public async Task Too_many_wrong_secrets_throttle_that_address_for_the_key_then_the_address_with_429_and_no_storage_read_and_never_the_right_secret_elsewhere()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Security:FailedAuth:PerAddressAndKey"] = "3",
            ["Notify:Security:FailedAuth:PerAppKey"] = "3",
            ["Notify:Security:FailedAuth:PerAddress"] = "5",
            ["Notify:Security:FailedAuth:Window"] = "00:01:00",
            ["Notify:Security:AppCacheDuration"] = "00:00:00",
            // The test server's connections come from loopback: the proxy whose X-Forwarded-For is believed here.
            ["Notify:Security:TrustedProxies:0"] = "127.0.0.1",
        });
        var victim = await host.NewAppAsync(Scopes.NotificationsRead);
        var bystander = await host.NewAppAsync(Scopes.NotificationsRead);
        await victim.Http.GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct);
        var secret = victim.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        var rightSecret = Encoding.UTF8.GetString(Convert.FromBase64String(secret)).Split(':', 2)[1];

        // Anyone who knows the app key (keys are not secret) sends wrong secrets from many addresses, 4 each: past
        // the per-(address, key) limit everywhere and far past the alert's count for the key.
        for (var i = 0; i < 20; i++)
        {
            await SecurityKit.Client(host, victim.AppKey, "wrong", address: $"198.51.100.{i / 4}").GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct);
        }
        var elsewhere = await SecurityKit.Client(host, victim.AppKey, rightSecret, address: "198.51.100.99").GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        // The burst of failures for one key is still signalled, once for the window.
        Assert.Single(LogCapture.Instance.Lines, l => l.Contains("[4016]", StringComparison.Ordinal) && l.Contains(victim.AppKey, StringComparison.Ordinal));

        var counter = host.Service<Notify.Storage.StorageOperationCounter>();
        var before = counter.Snapshot();
        var pairThrottled = await SecurityKit.Client(host, victim.AppKey, rightSecret, address: "198.51.100.0").GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, pairThrottled.StatusCode);
        Assert.Equal("application/problem+json", pairThrottled.Content.Headers.ContentType?.MediaType);
        Assert.True(int.Parse(Assert.Single(pairThrottled.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
        Assert.Equal(0, SecurityKit.Writes(before, counter.Snapshot(), "table:point-read", "table:query"));

        // One address guessing at many keys: blocked after 5, while other addresses and apps carry on.
        for (var i = 0; i < 5; i++)
        {
            await SecurityKit.Client(host, $"app-guess-{i}", "x", address: "203.0.113.5").GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct);
        }
        var addressThrottled = await SecurityKit.Client(host, bystander.AppKey, "x", address: "203.0.113.5").GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct);
        var bystanderElsewhere = await bystander.Http.GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, addressThrottled.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bystanderElsewhere.StatusCode);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_client_address_is_the_rightmost_forwarded_entry_so_a_spoofed_left_entry_does_not_escape_the_throttle()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Security:FailedAuth:PerAddress"] = "2",
            ["Notify:Security:TrustedProxies:0"] = "127.0.0.0/8",
        });
        for (var i = 0; i < 2; i++)
        {
            await SecurityKit.Client(host, "app-nobody", "x", address: $"10.9.9.{i}, 192.0.2.10:5555").GetAsync("/api/v1/admin/apps", SecurityKit.Ct);
        }

        var spoofed = await SecurityKit.Client(host, "app-nobody", "x", address: "10.1.1.1, 192.0.2.10:6666").GetAsync("/api/v1/admin/apps", SecurityKit.Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, spoofed.StatusCode);
    }

    [Fact]
    public async Task A_direct_caller_cannot_choose_its_address_with_x_forwarded_for()
    {
        // No trusted proxy configured (the default): the header is whatever the caller wrote, so it is ignored.
        await using var host = new NotifyHost(new Dictionary<string, string?>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Security:FailedAuth:PerAddress"] = "2",
        });
        for (var i = 0; i < 2; i++)
        {
            await SecurityKit.Client(host, $"app-nobody-{i}", "x", address: $"198.51.100.{i}").GetAsync("/api/v1/admin/apps", SecurityKit.Ct);
        }

        var freshAddress = await SecurityKit.Client(host, "app-nobody-2", "x", address: "198.51.100.77").GetAsync("/api/v1/admin/apps", SecurityKit.Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, freshAddress.StatusCode);
    }

    [Fact]
    public async Task Forwarded_entries_are_believed_only_from_a_trusted_proxy_network()
    {
        // The connection (loopback) is not in the trusted network, so naming a trusted proxy in the header does not help.
        await using var host = new NotifyHost(new Dictionary<string, string?>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Security:FailedAuth:PerAddress"] = "2",
            ["Notify:Security:TrustedProxies:0"] = "10.0.0.0/8",
        });
        for (var i = 0; i < 2; i++)
        {
            await SecurityKit.Client(host, $"app-nobody-{i}", "x", address: $"198.51.100.{i}, 10.0.0.1").GetAsync("/api/v1/admin/apps", SecurityKit.Ct);
        }

        var freshAddress = await SecurityKit.Client(host, "app-nobody-2", "x", address: "198.51.100.77, 10.0.0.1").GetAsync("/api/v1/admin/apps", SecurityKit.Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, freshAddress.StatusCode);
    }

    [Fact]
    public async Task A_trusted_proxy_setting_that_is_not_an_address_stops_the_host_naming_it()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["Notify:Security:TrustedProxies:0"] = "front-door" });

        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains("front-door", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_limits_are_configurable()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Limits:MaxBodyBytes"] = "2048",
            ["Notify:Limits:MaxRecipients"] = "2",
            ["Notify:Limits:MaxDataBytes"] = "64",
            ["Notify:Limits:MaxTemplateBytes"] = "1024",
            ["Notify:Limits:MaxDevicesPerUser"] = "1",
        });
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync("""{"defaultLocale":"en","channels":{"sms":{"body":"hi"}}}""");
        var user = await api.NewUserAsync(devices: [("token-aaaaaaaa", "fcm"), ("token-bbbbbbbb", "fcm")]);
        var send = (string recipients, string data) => api.PostJsonAsync("/api/v1/notifications",
            $$$"""{"eventId":"{{{NewEventId()}}}","template":"{{{template}}}","recipients":{{{recipients}}},"data":{{{data}}}}""");

        await SecurityKit.RefusedAsync(host, HttpStatusCode.RequestEntityTooLarge,
            () => api.PutJsonAsync("/api/v1/users/u-big", $$"""{"email":"{{new string('x', 3000)}}"}"""), "a body over MaxBodyBytes");
        var recipients = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => send("""["a","b","c"]""", "{}"), "three recipients");
        var data = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => send($"[\"{user}\"]", $$"""{"x":"{{new string('x', 80)}}"}"""), "data over MaxDataBytes");
        var tooBig = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest,
            () => api.PutJsonAsync("/api/v1/templates/too-big", "{\"defaultLocale\":\"en\",\"channels\":{\"sms\":{\"body\":\"" + new string('x', 1100) + "\"}}}"), "template over MaxTemplateBytes");

        Assert.Contains("at most 2", recipients["errors"]!["recipients"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("at most 64", data["errors"]!["data"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("at most 1024", tooBig["errors"]!["$"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single((await api.GetJsonAsync($"/api/v1/users/{user}"))["devices"]!.AsArray());
        Assert.Equal(HttpStatusCode.Accepted, (await send($"[\"{user}\"]", "{}")).StatusCode);
    }

    [Fact]
    public async Task Out_of_range_security_settings_stop_the_host_naming_the_setting()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["Notify:Security:Quota:Burst"] = "0" });

        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains("Notify:Security:Quota:Burst", error.ToString(), StringComparison.Ordinal);
    }
}
