namespace Notify.IntegrationTests;

/// <summary>The whole pipeline through the LocalHost: POST, log, queue, worker, Outbox.</summary>
public sealed class PipelineTests(PipelineTests.Host host) : IClassFixture<PipelineTests.Host>
{
    public sealed class Host() : NotifyHost();

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    private static async Task WaitForStatusesAsync(ApiClient api, JsonNode accepted, string status)
    {
        foreach (var delivery in accepted["deliveries"]!.AsArray())
        {
            var id = delivery!["id"]!.GetValue<string>();
            await Eventually.TrueAsync(async () => (await api.DeliveryAsync(id))["status"]!.GetValue<string>() == status, $"{id} is {status}");
        }
    }

    [Fact]
    public async Task Accepted_notification_reaches_every_channel_rendered_and_ends_sent()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync(devices: [("fcm-token-aaaaaaaa", "fcm")]);

        var (response, body) = await api.SendAsync(NewEventId(), template, [user]);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False(body["duplicate"]!.GetValue<bool>());
        var deliveries = body["deliveries"]!.AsArray();
        Assert.Equal(["email", "push", "sms"], deliveries.Select(d => d!["channel"]!.GetValue<string>()).Order());
        Assert.All(deliveries, d => Assert.Equal("queued", d!["status"]!.GetValue<string>()));
        await WaitForStatusesAsync(api, body, "sent");

        var outbox = await api.OutboxAsync(user);
        Assert.Equal(3, outbox.Count);
        var email = outbox.Single(m => m!["channel"]!.GetValue<string>() == "email")!;
        Assert.Equal("ann@example.com", email["to"]!.GetValue<string>());
        Assert.Equal("Hello Ann", email["subject"]!.GetValue<string>());
        Assert.Equal("<p>Code 1234</p>", email["html"]!.GetValue<string>());
        Assert.Equal("Code 1234", email["text"]!.GetValue<string>());
        var sms = outbox.Single(m => m!["channel"]!.GetValue<string>() == "sms")!;
        Assert.Equal("+821012345678", sms["to"]!.GetValue<string>());
        Assert.Equal("Code 1234 for Ann", sms["body"]!.GetValue<string>());
        var push = outbox.Single(m => m!["channel"]!.GetValue<string>() == "push")!;
        Assert.Equal("fcm-token-aaaaaaaa", push["to"]!.GetValue<string>());
        Assert.Equal("Hello Ann", push["title"]!.GetValue<string>());
        Assert.Equal("1234", push["data"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Status_shows_attempts_history_and_provider_id_and_lists_by_event()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var eventId = NewEventId();
        var (_, body) = await api.SendAsync(eventId, template, [user], channels: """["email"]""");
        await WaitForStatusesAsync(api, body, "sent");

        var id = body["deliveries"]![0]!["id"]!.GetValue<string>();
        var delivery = await api.DeliveryAsync(id);

        Assert.Equal(eventId, delivery["eventId"]!.GetValue<string>());
        Assert.Equal(user, delivery["userId"]!.GetValue<string>());
        Assert.Equal(1, delivery["attempts"]!.GetValue<int>());
        Assert.StartsWith("outbox-", delivery["providerMessageId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["queued", "sending", "sent"], delivery["history"]!.AsArray().Select(h => h!["status"]!.GetValue<string>()));
        var list = await api.GetJsonAsync($"/api/v1/notifications?eventId={eventId}");
        Assert.Equal(id, Assert.Single(list["deliveries"]!.AsArray())!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_apps_notification_is_not_found()
    {
        var owner = await host.NewAppAsync();
        var other = await host.NewAppAsync();
        var template = await owner.NewTemplateAsync();
        var user = await owner.NewUserAsync();
        var eventId = NewEventId();
        var (_, body) = await owner.SendAsync(eventId, template, [user], channels: """["sms"]""");
        var id = body["deliveries"]![0]!["id"]!.GetValue<string>();

        var response = await other.Http.GetAsync($"/api/v1/notifications/{id}", TestContext.Current.CancellationToken);
        var list = await other.GetJsonAsync($"/api/v1/notifications?eventId={eventId}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(list["deliveries"]!.AsArray());
    }

    [Fact]
    public async Task Skips_carry_their_reason_and_send_nothing()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var optedOut = await api.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/users/{optedOut}/preferences", """{"email":false}""")).StatusCode);
        var noContact = await api.NewUserAsync(email: null, phone: null);
        var unknown = "nobody-" + Guid.NewGuid().ToString("N")[..8];

        var (response, body) = await api.SendAsync(NewEventId(), template, [optedOut, noContact, unknown], channels: """["email","push"]""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        string? Reason(string user, string channel) => body["deliveries"]!.AsArray()
            .Single(d => d!["userId"]!.GetValue<string>() == user && d["channel"]!.GetValue<string>() == channel)!["reason"]?.GetValue<string>();
        Assert.Equal("opted-out", Reason(optedOut, "email"));
        Assert.Equal("no-contact", Reason(optedOut, "push"));
        Assert.Equal("no-contact", Reason(noContact, "email"));
        Assert.Equal("unknown-user", Reason(unknown, "email"));
        Assert.Equal("unknown-user", Reason(unknown, "push"));
        Assert.All(body["deliveries"]!.AsArray(), d => Assert.Equal("skipped", d!["status"]!.GetValue<string>()));
        await host.QueuesDrainedAsync();
        Assert.Empty(await api.OutboxAsync(optedOut));
        Assert.Empty(await api.OutboxAsync(noContact));
    }

    [Fact]
    public async Task Rate_limit_skips_past_the_hourly_budget_and_high_priority_bypasses_it()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var statuses = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var (_, body) = await api.SendAsync(NewEventId(), template, [user], channels: """["sms"]""");
            statuses.Add(body["deliveries"]![0]!["reason"]?.GetValue<string>() ?? body["deliveries"]![0]!["status"]!.GetValue<string>());
        }
        var (_, urgent) = await api.SendAsync(NewEventId(), template, [user], channels: """["sms"]""", priority: "high");

        Assert.Equal(["queued", "queued", "queued", "queued", "queued", "rate-limited"], statuses);
        Assert.Equal("queued", urgent["deliveries"]![0]!["status"]!.GetValue<string>());
        await Eventually.TrueAsync(async () => (await api.OutboxAsync(user)).Count == 6, "six SMS sent");
        await host.QueuesDrainedAsync();
        Assert.Equal(6, (await api.OutboxAsync(user)).Count);
    }

    [Fact]
    public async Task Concurrent_ingests_cannot_exceed_the_rate_limit()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => api.SendAsync(NewEventId(), template, [user], channels: """["sms"]""")));

        var queued = results.Count(r => r.Body["deliveries"]![0]!["status"]!.GetValue<string>() == "queued");
        Assert.Equal(5, queued);
    }

    [Fact]
    public async Task Repeat_with_same_event_id_returns_original_ids_and_sends_nothing_new()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var eventId = NewEventId();
        var (_, first) = await api.SendAsync(eventId, template, [user], channels: """["email","sms"]""");
        await WaitForStatusesAsync(api, first, "sent");

        var (response, repeat) = await api.SendAsync(eventId, template, [user], channels: """["email","sms"]""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(repeat["duplicate"]!.GetValue<bool>());
        Assert.Equal(
            first["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()),
            repeat["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()));
        Assert.All(repeat["deliveries"]!.AsArray(), d => Assert.Equal("sent", d!["status"]!.GetValue<string>()));
        await host.QueuesDrainedAsync();
        Assert.Equal(2, (await api.OutboxAsync(user)).Count);
    }

    [Fact]
    public async Task Same_event_id_with_another_body_is_a_conflict()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var eventId = NewEventId();
        await api.SendAsync(eventId, template, [user], channels: """["email"]""");

        var (response, body) = await api.SendAsync(eventId, template, [user], channels: """["sms"]""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(eventId, body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Same_event_id_from_another_app_is_a_new_notification()
    {
        var first = await host.NewAppAsync();
        var second = await host.NewAppAsync();
        var template = await first.NewTemplateAsync();
        var user = await first.NewUserAsync();
        var eventId = NewEventId();

        var (a, _) = await first.SendAsync(eventId, template, [user], channels: """["email"]""");
        var (b, _) = await second.SendAsync(eventId, template, [user], channels: """["email"]""");

        Assert.Equal(HttpStatusCode.Accepted, a.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, b.StatusCode);
    }

    [Fact]
    public async Task Two_concurrent_identical_requests_produce_one_set_of_deliveries()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            users.Add(await api.NewUserAsync());
        }
        var eventId = NewEventId();

        var results = await Task.WhenAll(api.SendAsync(eventId, template, users, channels: """["email"]"""), api.SendAsync(eventId, template, users, channels: """["email"]"""));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Accepted], results.Select(r => r.Response.StatusCode).Order());
        Assert.Equal(
            results[0].Body["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()),
            results[1].Body["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()));
        foreach (var user in users)
        {
            await Eventually.TrueAsync(async () => (await api.OutboxAsync(user)).Count == 1, $"one email to {user}");
        }
        await host.QueuesDrainedAsync();
        foreach (var user in users)
        {
            Assert.Single(await api.OutboxAsync(user));
        }
    }

    [Fact]
    public async Task Push_fans_out_to_every_registered_device()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync(devices: [("fcm-token-1111111111", "fcm"), ("apns0123456789abcdef", "apns")]);

        var (_, body) = await api.SendAsync(NewEventId(), template, [user], channels: """["push"]""");

        var deliveries = body["deliveries"]!.AsArray();
        Assert.Equal(2, deliveries.Count);
        Assert.Equal(2, deliveries.Select(d => d!["device"]!.GetValue<string>()).Distinct().Count());
        await WaitForStatusesAsync(api, body, "sent");
        Assert.Equal(["apns0123456789abcdef", "fcm-token-1111111111"], (await api.OutboxAsync(user)).Select(m => m!["to"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task User_locale_picks_the_localized_template_with_fallback_to_language()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var korean = await api.NewUserAsync(locale: "ko-KR");

        var (_, body) = await api.SendAsync(NewEventId(), template, [korean], channels: """["sms","email"]""");
        await WaitForStatusesAsync(api, body, "sent");

        var outbox = await api.OutboxAsync(korean);
        Assert.Equal("Ann님 코드 1234", outbox.Single(m => m!["channel"]!.GetValue<string>() == "sms")!["body"]!.GetValue<string>());
        Assert.Equal("Hello Ann", outbox.Single(m => m!["channel"]!.GetValue<string>() == "email")!["subject"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_thousand_recipients_are_accepted_in_one_call()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var recipients = Enumerable.Range(0, 1000).Select(i => $"bulk-{Guid.NewGuid():N}"[..20]).ToList();

        var (response, body) = await api.SendAsync(NewEventId(), template, recipients, channels: """["email"]""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1000, body["deliveries"]!.AsArray().Count);
        Assert.All(body["deliveries"]!.AsArray(), d => Assert.Equal("unknown-user", d!["reason"]!.GetValue<string>()));
    }
}
