using Azure.Data.Tables;
using Notify.Core.Digests;

namespace Notify.IntegrationTests.Digests;

/// <summary>Digests through the LocalHost: requests with one key for a user and channel go out as one delivery.</summary>
public sealed class DigestTests(DigestTests.Host host) : IClassFixture<DigestTests.Host>
{
    /// <summary>Windows of a couple of seconds, so a test waits for a close without waiting a minute.</summary>
    public sealed class Host() : NotifyHost(DigestKit.Settings);

    /// <summary>The row keys of a digest scope's partition in the digest table.</summary>
    private async Task<List<string>> DigestRowsAsync(string scope)
    {
        var table = host.Service<TableServiceClient>().GetTableClient(host.Service<StorageNames>().Digests);
        var rows = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>($"PartitionKey eq '{scope}'", select: ["RowKey"], cancellationToken: TestContext.Current.CancellationToken))
        {
            rows.Add(e.RowKey);
        }
        return rows;
    }

    private static bool IsItem(string rowKey) => rowKey.StartsWith("i|", StringComparison.Ordinal);

    [Fact]
    public async Task Requests_with_one_key_go_out_as_one_delivery_rendered_with_every_item_in_arrival_order()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template);
        var user = await api.NewUserAsync();
        var key = DigestKit.NewKey();

        var first = await DigestKit.SendAsync(api, template, user, key, "Ann", window: "PT3S");
        var second = await DigestKit.SendAsync(api, template, user, key, "Bo", window: "PT3S");
        var third = await DigestKit.SendAsync(api, template, user, key, "Cy", window: "PT3S");

        var carrier = DigestKit.Sms(first);
        Assert.Equal("scheduled", carrier["status"]!.GetValue<string>());
        Assert.NotNull(carrier["notBefore"]);
        foreach (var joined in new[] { second, third })
        {
            Assert.Equal("digested", DigestKit.Sms(joined)["status"]!.GetValue<string>());
            Assert.Equal(carrier["id"]!.GetValue<string>(), DigestKit.Sms(joined)["digestDeliveryId"]!.GetValue<string>());
        }
        var carrierId = carrier["id"]!.GetValue<string>();
        Assert.Equal("scheduled", (await api.DeliveryAsync(carrierId))["status"]!.GetValue<string>());
        await DigestKit.WaitSentAsync(api, carrierId);

        var outbox = await api.OutboxAsync(user);
        var sms = Assert.Single(outbox);
        Assert.Equal("3 new: Ann Bo Cy", sms!["body"]!.GetValue<string>());
        var secondView = await api.DeliveryAsync(DigestKit.Sms(second)["id"]!.GetValue<string>());
        Assert.Equal("digested", secondView["status"]!.GetValue<string>());
        Assert.Equal(carrierId, secondView["digestDeliveryId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stats_count_the_digested_deliveries_beside_the_one_sent()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template);
        var user = await api.NewUserAsync();
        var key = DigestKit.NewKey();
        var carrier = DigestKit.Sms(await DigestKit.SendAsync(api, template, user, key, "Ann", window: "PT2S"));
        await DigestKit.SendAsync(api, template, user, key, "Bo", window: "PT2S");
        await DigestKit.SendAsync(api, template, user, key, "Cy", window: "PT2S");
        await DigestKit.WaitSentAsync(api, carrier["id"]!.GetValue<string>());

        JsonNode? row = null;
        await Eventually.TrueAsync(async () =>
        {
            row = (await api.GetJsonAsync($"/api/v1/stats?template={template}"))["rows"]!.AsArray().SingleOrDefault(r => r!["channel"]!.GetValue<string>() == "sms");
            return row?["sent"]!.GetValue<long>() == 1;
        }, "the carrier is counted sent");

        Assert.Equal(2, row!["digested"]!.GetValue<long>());
        // The carrier waited for the window to close; the others never waited on their own.
        Assert.Equal(1, row["scheduled"]!.GetValue<long>());
    }

    [Fact]
    public async Task Once_the_carrier_is_sent_its_windows_items_are_deleted_and_a_repeat_still_finds_its_place()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template);
        var user = await api.NewUserAsync();
        var key = DigestKit.NewKey();
        var carrier = DigestKit.Sms(await DigestKit.SendAsync(api, template, user, key, "Ann", window: "PT4S"));
        var joinerEvent = "d-" + Guid.NewGuid().ToString("N");
        await DigestKit.SendAsync(api, template, user, key, "Bo", window: "PT4S", eventId: joinerEvent);
        var scope = new DigestScope(api.AppKey, user, Channel.Sms, key).Id;
        var before = await DigestRowsAsync(scope);

        await DigestKit.WaitSentAsync(api, carrier["id"]!.GetValue<string>());
        var after = new List<string>();
        await Eventually.TrueAsync(async () => !(after = await DigestRowsAsync(scope)).Any(IsItem), "the window's items are deleted");
        var (again, repeated) = await DigestKit.PostAsync(api, template, user, key, "Bo", window: "PT4S", eventId: joinerEvent);
        var repeat = DigestKit.Sms(repeated);

        Assert.Equal(2, before.Count(IsItem));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(["m|", "m|", "window"], after.Select(r => r.StartsWith("m|", StringComparison.Ordinal) ? "m|" : r).Order());
        Assert.Equal("digested", repeat["status"]!.GetValue<string>());
        Assert.Equal(carrier["id"]!.GetValue<string>(), repeat["digestDeliveryId"]!.GetValue<string>());
        Assert.Equal("2 new: Ann Bo", Assert.Single(await api.OutboxAsync(user))!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_request_after_the_window_closed_opens_the_next_window()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template);
        var user = await api.NewUserAsync();
        var key = DigestKit.NewKey();
        var first = DigestKit.Sms(await DigestKit.SendAsync(api, template, user, key, "Ann", window: "PT2S"));
        await DigestKit.WaitSentAsync(api, first["id"]!.GetValue<string>());

        var next = DigestKit.Sms(await DigestKit.SendAsync(api, template, user, key, "Bo", window: "PT2S"));

        Assert.Equal("scheduled", next["status"]!.GetValue<string>());
        await DigestKit.WaitSentAsync(api, next["id"]!.GetValue<string>());
        Assert.Equal(["1 new: Ann", "1 new: Bo"], (await api.OutboxAsync(user)).Select(m => m!["body"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Digests_of_another_app_key_or_channel_are_kept_apart()
    {
        var api = await host.NewAppAsync();
        var other = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template.Replace("\"defaultLocale\"", "\"senders\":[\"*\"],\"defaultLocale\""));
        var user = await api.NewUserAsync();
        var key = DigestKit.NewKey();

        var mine = DigestKit.Sms(await DigestKit.SendAsync(api, template, user, key, "Ann", window: "PT3S"));
        var theirs = DigestKit.Sms(await DigestKit.SendAsync(other, template, user, key, "Bo", window: "PT3S"));
        var otherKey = DigestKit.Sms(await DigestKit.SendAsync(api, template, user, key + "-b", "Cy", window: "PT3S"));
        var both = await DigestKit.SendAsync(api, template, user, key, "Di", window: "PT3S", channels: """["sms","email"]""");

        Assert.All([mine, theirs, otherKey], d => Assert.Equal("scheduled", d["status"]!.GetValue<string>()));
        Assert.Equal("digested", DigestKit.Sms(both)["status"]!.GetValue<string>());
        Assert.Equal(mine["id"]!.GetValue<string>(), DigestKit.Sms(both)["digestDeliveryId"]!.GetValue<string>());
        var email = both["deliveries"]!.AsArray().Single(d => d!["channel"]!.GetValue<string>() == "email")!;
        Assert.Equal("scheduled", email["status"]!.GetValue<string>());
        foreach (var id in new[] { mine, theirs, otherKey, email }.Select(d => d["id"]!.GetValue<string>()))
        {
            await DigestKit.WaitSentAsync(id == theirs["id"]!.GetValue<string>() ? other : api, id);
        }
        Assert.Equal(["1 new: Bo", "1 new: Cy", "2 new: Ann Di"],
            (await api.OutboxAsync(user)).Concat(await other.OutboxAsync(user)).Where(m => m!["channel"]!.GetValue<string>() == "sms").Select(m => m!["body"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_open_one_window_and_lose_no_item()
    {
        const int requests = 16;
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template);
        var user = await api.NewUserAsync();
        var key = DigestKit.NewKey();

        var answers = await Task.WhenAll(Enumerable.Range(0, requests).Select(i => DigestKit.SendAsync(api, template, user, key, $"n{i:D2}", window: "PT5S")));

        var deliveries = answers.Select(DigestKit.Sms).ToList();
        var carrier = Assert.Single(deliveries, d => d["status"]!.GetValue<string>() == "scheduled");
        var carrierId = carrier["id"]!.GetValue<string>();
        Assert.All(deliveries.Where(d => d != carrier), d =>
        {
            Assert.Equal("digested", d["status"]!.GetValue<string>());
            Assert.Equal(carrierId, d["digestDeliveryId"]!.GetValue<string>());
        });
        await DigestKit.WaitSentAsync(api, carrierId);
        var body = Assert.Single(await api.OutboxAsync(user))!["body"]!.GetValue<string>();
        Assert.StartsWith($"{requests} new:", body);
        Assert.Equal(Enumerable.Range(0, requests).Select(i => $"n{i:D2}"), body.Split(' ').Skip(2).Order());
    }

    [Fact]
    public async Task A_repeated_request_is_answered_with_its_original_deliveries_and_adds_nothing_to_the_digest()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template);
        var user = await api.NewUserAsync();
        var key = DigestKit.NewKey();
        var first = await DigestKit.SendAsync(api, template, user, key, "Ann", window: "PT3S");
        var second = await DigestKit.SendAsync(api, template, user, key, "Bo", window: "PT3S", eventId: "repeat-" + key);

        var (response, repeat) = await DigestKit.PostAsync(api, template, user, key, "Bo", window: "PT3S", eventId: "repeat-" + key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(repeat["duplicate"]!.GetValue<bool>());
        Assert.Equal(DigestKit.Sms(second)["id"]!.GetValue<string>(), DigestKit.Sms(repeat)["id"]!.GetValue<string>());
        Assert.Equal("digested", DigestKit.Sms(repeat)["status"]!.GetValue<string>());
        var carrierId = DigestKit.Sms(first)["id"]!.GetValue<string>();
        await DigestKit.WaitSentAsync(api, carrierId);
        Assert.Equal("2 new: Ann Bo", Assert.Single(await api.OutboxAsync(user))!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_push_digest_carries_each_device_and_points_each_digested_device_at_its_own_carrier()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template);
        var user = await api.NewUserAsync(devices: [("fcm-token-digest-aaaa", "fcm"), ("fcm-token-digest-bbbb", "fcm")]);
        var key = DigestKit.NewKey();

        var first = (await DigestKit.SendAsync(api, template, user, key, "Ann", window: "PT3S", channels: """["push"]"""))["deliveries"]!.AsArray();
        var second = (await DigestKit.SendAsync(api, template, user, key, "Bo", window: "PT3S", channels: """["push"]"""))["deliveries"]!.AsArray();

        Assert.Equal(2, first.Count);
        Assert.All(first, d => Assert.Equal("scheduled", d!["status"]!.GetValue<string>()));
        Assert.Equal(first.Select(d => d!["id"]!.GetValue<string>()), second.Select(d => d!["digestDeliveryId"]!.GetValue<string>()));
        foreach (var carrier in first)
        {
            await DigestKit.WaitSentAsync(api, carrier!["id"]!.GetValue<string>());
        }
        var outbox = await api.OutboxAsync(user);
        Assert.Equal(2, outbox.Count);
        Assert.All(outbox, m => Assert.Equal("2 new: Ann Bo", m!["body"]!.GetValue<string>()));
        // Both devices' carriers are sent: the last one deleted the items both rendered.
        var scope = new DigestScope(api.AppKey, user, Channel.Push, key).Id;
        await Eventually.TrueAsync(async () => await DigestRowsAsync(scope) is var rows && rows.Contains("window") && !rows.Any(IsItem), "the window's items are deleted, its row kept");
    }

    [Fact]
    public async Task A_digest_takes_one_rate_limit_unit_for_its_message_not_one_per_request()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template);
        var user = await api.NewUserAsync();
        var key = DigestKit.NewKey();

        var answers = new List<JsonNode>();
        // Five requests one after another must all land inside the window, also on a loaded 2-core machine.
        foreach (var who in new[] { "a", "b", "c", "d", "e" })
        {
            answers.Add(DigestKit.Sms(await DigestKit.SendAsync(api, template, user, key, who, window: "PT8S")));
        }

        Assert.DoesNotContain(answers, d => d["status"]!.GetValue<string>() == "skipped");
        await DigestKit.WaitSentAsync(api, answers[0]["id"]!.GetValue<string>());
        Assert.Equal("5 new: a b c d e", Assert.Single(await api.OutboxAsync(user))!["body"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"key":"k","window":"PT0.5S"}""", "digest.window")]
    [InlineData("""{"key":"k","window":"P2D"}""", "digest.window")]
    [InlineData("""{"key":"k","window":"soon"}""", "digest.window")]
    [InlineData("""{"key":"","window":"PT1H"}""", "digest.key")]
    [InlineData("""{"window":"PT1H"}""", "digest.key")]
    public async Task A_bad_digest_is_400_naming_the_field_and_writes_nothing(string digest, string field)
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template);
        var user = await api.NewUserAsync();
        var eventId = "bad-" + Guid.NewGuid().ToString("N");

        var response = await api.PostJsonAsync("/api/v1/notifications",
            $$"""{"eventId":"{{eventId}}","template":"{{template}}","recipients":["{{user}}"],"data":{"who":"x"},"digest":{{digest}} }""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ApiClient.ReadAsync(response);
        Assert.Equal([field], problem["errors"]!.AsObject().Select(e => e.Key));
        var log = host.Service<Notify.Core.Delivery.IDeliveryLog>();
        Assert.Null(await log.GetRequestAsync(Notify.Core.Delivery.RequestIds.For(api.AppKey, eventId), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_key_over_128_characters_and_a_high_priority_digest_are_400()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template);
        var user = await api.NewUserAsync();

        var (longKey, longBody) = await DigestKit.PostAsync(api, template, user, new string('k', 129), "x", window: "PT1H");
        var high = await api.PostJsonAsync("/api/v1/notifications",
            $$"""{"eventId":"high-{{Guid.NewGuid():N}}","template":"{{template}}","recipients":["{{user}}"],"data":{"who":"x"},"priority":"high","digest":{"key":"k","window":"PT1H"} }""");

        Assert.Equal(HttpStatusCode.BadRequest, longKey.StatusCode);
        Assert.Equal(["digest.key"], longBody["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(HttpStatusCode.BadRequest, high.StatusCode);
        Assert.Equal(["digest"], (await ApiClient.ReadAsync(high))["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task A_template_reading_an_item_field_the_data_lacks_is_refused_naming_the_data_field()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(DigestKit.Template);
        var user = await api.NewUserAsync();

        var response = await api.PostJsonAsync("/api/v1/notifications",
            $$"""{"eventId":"miss-{{Guid.NewGuid():N}}","template":"{{template}}","recipients":["{{user}}"],"channels":["sms"],"data":{"other":1},"digest":{"key":"k","window":"PT1H"} }""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("data.who", (await ApiClient.ReadAsync(response))["errors"]!.AsObject().Select(e => e.Key));
    }
}

/// <summary>Settings, template and calls the digest tests share.</summary>
public static class DigestKit
{
    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Notify:Limits:MinDigestWindow"] = "00:00:01",
        // Low enough that a test can show a digest's requests are not each rate-limited.
        ["Notify:RateLimits:Default:Sms"] = "3",
    };

    public const string Template = """
        {
          "defaultLocale": "en",
          "channels": {
            "sms": { "body": "{{ digest.count }} new:{% for item in digest.items %} {{ item.data.who }}{% endfor %}" },
            "email": { "subject": "{{ digest.count }} new", "text": "{% for item in digest.items %}{{ item.data.who }} {% endfor %}" },
            "push": { "title": "Comments", "body": "{{ digest.count }} new:{% for item in digest.items %} {{ item.data.who }}{% endfor %}" }
          }
        }
        """;

    public static string NewKey() => "comments:" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<(HttpResponseMessage Response, JsonNode Body)> PostAsync(
        ApiClient api, string template, string user, string key, string who, string window, string channels = """["sms"]""", string? eventId = null)
    {
        var response = await api.PostJsonAsync("/api/v1/notifications", $$"""
            {"eventId":"{{eventId ?? "d-" + Guid.NewGuid().ToString("N")}}","template":"{{template}}","recipients":["{{user}}"],"channels":{{channels}},
             "data":{"who":"{{who}}"},"digest":{"key":"{{key}}","window":"{{window}}"} }
            """);
        return (response, await ApiClient.ReadAsync(response));
    }

    public static async Task<JsonNode> SendAsync(
        ApiClient api, string template, string user, string key, string who, string window, string channels = """["sms"]""", string? eventId = null)
    {
        var (response, body) = await PostAsync(api, template, user, key, who, window, channels, eventId);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body.ToJsonString());
        return body;
    }

    public static JsonNode Sms(JsonNode accepted) =>
        accepted["deliveries"]!.AsArray().Single(d => d!["channel"]!.GetValue<string>() == "sms")!;

    public static Task WaitSentAsync(ApiClient api, string id) =>
        Eventually.TrueAsync(async () => (await api.DeliveryAsync(id))["status"]!.GetValue<string>() == "sent", $"{id} is sent", TimeSpan.FromSeconds(60));
}
