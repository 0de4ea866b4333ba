namespace Notify.IntegrationTests.Preferences;

/// <summary>Categories through the real host: registered, named by templates, chosen by users, deciding skips.</summary>
public sealed class CategoryPreferenceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NotifyHost ManualHost() => new(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    internal static string CategoryTemplate(string category) => Templates.Standard.Replace("\"senders\": [\"*\"],", $"\"senders\": [\"*\"], \"category\": \"{category}\",", StringComparison.Ordinal);

    [Fact]
    public async Task A_template_naming_an_unknown_category_is_400_naming_the_field_and_a_registered_one_is_accepted()
    {
        await using var host = ManualHost();
        var api = await host.NewAppAsync();
        var key = "promo-" + Guid.NewGuid().ToString("N")[..8];

        var unknown = await api.PutJsonAsync("/api/v1/templates/t-" + key, CategoryTemplate(key));
        var created = await api.PutJsonAsync($"/api/v1/categories/{key}", """{"titles":{"en":"Promotions","de":"Angebote"},"defaults":{"email":false}}""");
        var known = await api.PutJsonAsync("/api/v1/templates/t-" + key, CategoryTemplate(key));
        var list = await api.GetJsonAsync("/api/v1/categories");

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.NotNull((await ApiClient.ReadAsync(unknown))["errors"]!["category"]);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        var keys = list["categories"]!.AsArray().Select(c => c!["key"]!.GetValue<string>()).ToList();
        Assert.Contains(key, keys);
        Assert.Contains("transactional", keys);
        Assert.False((await api.GetJsonAsync($"/api/v1/categories/{key}"))["defaults"]!["email"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Category_choices_decide_skips_that_name_the_category_and_a_required_category_cannot_be_turned_off()
    {
        await using var host = ManualHost();
        var api = await host.NewAppAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var marketing = "marketing-" + suffix;
        var security = "security-" + suffix;
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/{marketing}", """{"titles":{"en":"Marketing"},"defaults":{"email":true,"sms":false}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/{security}", """{"titles":{"en":"Security"},"required":true,"requiredReason":"Account safety"}""")).StatusCode);
        var template = await api.NewTemplateAsync(CategoryTemplate(marketing));
        var user = await api.NewUserAsync();

        var put = await api.PutJsonAsync($"/api/v1/users/{user}/preferences", "{\"categories\":{\"" + marketing + "\":{\"email\":false}}}");
        var refused = await api.PutJsonAsync($"/api/v1/users/{user}/preferences", $$$"""{"push":false,"categories":{"{{{security}}}":false,"nope-{{{suffix}}}":true}}""");
        var preferences = await api.GetJsonAsync($"/api/v1/users/{user}/preferences");
        var (response, body) = await api.SendAsync("evt-" + Guid.NewGuid().ToString("N"), template, [user], """["email","sms"]""");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await ApiClient.ReadAsync(refused))["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([$"categories.nope-{suffix}", $"categories.{security}"], errors);
        // Nothing of the refused update was written: push keeps its default.
        Assert.True(preferences["push"]!.GetValue<bool>());
        Assert.Equal("""{"email":false}""", preferences["categories"]![marketing]!.ToJsonString());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var deliveries = body["deliveries"]!.AsArray();
        foreach (var channel in new[] { "email", "sms" })
        {
            var delivery = deliveries.Single(d => d!["channel"]!.GetValue<string>() == channel)!;
            Assert.Equal("skipped", delivery["status"]!.GetValue<string>());
            Assert.Equal("opted-out", delivery["reason"]!.GetValue<string>());
            Assert.Equal(marketing, delivery["category"]!.GetValue<string>());
            Assert.Equal(marketing, (await api.DeliveryAsync(delivery["id"]!.GetValue<string>()))["category"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task The_users_batch_takes_categories_and_refuses_an_unknown_one_for_that_entry_only()
    {
        await using var host = ManualHost();
        var api = await host.NewAppAsync();
        var news = "news-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/{news}", """{"titles":{"en":"News"}}""")).StatusCode);
        var good = "user-" + Guid.NewGuid().ToString("N")[..12];
        var bad = "user-" + Guid.NewGuid().ToString("N")[..12];

        var response = await api.PostJsonAsync("/api/v1/users/batch", $$$"""
            {"users":[
              {"userId":"{{{good}}}","email":"a@example.com","preferences":{"email":true,"categories":{"{{{news}}}":false} } },
              {"userId":"{{{bad}}}","email":"b@example.com","preferences":{"categories":{"unknown-{{{news}}}":false} } }
            ]}
            """);
        var body = await ApiClient.ReadAsync(response);
        var preferences = await api.GetJsonAsync($"/api/v1/users/{good}/preferences");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("created", body["users"]![0]!["outcome"]!.GetValue<string>());
        Assert.Equal("invalid", body["users"]![1]!["outcome"]!.GetValue<string>());
        Assert.NotNull(body["users"]![1]!["errors"]![$"users[1].preferences.categories.unknown-{news}"]);
        Assert.False(preferences["categories"]![news]!.GetValue<bool>());
    }
}
