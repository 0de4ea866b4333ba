using System.Text.Json;
using Notify.Core.Audit;
using Notify.Core.Categories;
using Notify.Core.Users;

namespace Notify.Core.Tests.Categories;

/// <summary>Categories: their body, ownership, and a user's category choices as the preferences route reads and merges them.</summary>
public sealed class CategoryPreferencesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AppRecord App(string key, params string[] scopes) =>
        new(key, key, Array.Empty<string>(), scopes.Length == 0 ? [Scopes.TemplatesWrite] : scopes, false, DateTimeOffset.UnixEpoch);

    private static CategoryDefinition? ParseCategory(string key, string json, ValidationErrors errors)
    {
        using var document = JsonDocument.Parse(json);
        return CategoryBody.Parse(key, document.RootElement, errors);
    }

    private static ChannelPreferences? ParsePreferences(string json, ValidationErrors errors)
    {
        using var document = JsonDocument.Parse(json);
        return PutPreferencesRequest.Parse("u1", document.RootElement, errors)?.Preferences;
    }

    private sealed class NoAudit : IAuditStore
    {
        public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<AuditPage?> QueryAsync(AuditQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken) => Task.FromResult<AuditPage?>(null);
    }

    [Fact]
    public void A_category_body_lists_every_invalid_field()
    {
        var errors = new ValidationErrors();

        var parsed = ParseCategory("Bad Key", """{"titles":{},"required":true,"defaults":{"email":"yes","fax":true},"extra":1}""", errors);

        Assert.Null(parsed);
        Assert.Equal(["defaults.email", "defaults.fax", "extra", "key", "requiredReason", "titles"], errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_category_round_trips_through_its_stored_json()
    {
        var errors = new ValidationErrors();
        var parsed = ParseCategory("security", """{"titles":{"en":"Security","de":"Sicherheit"},"descriptions":{"en":"Sign-ins"},"required":true,"requiredReason":"We must tell you","defaults":{"email":true,"sms":false}}""", errors)!;

        var back = CategoryDefinition.FromJson("security", parsed.ToJson());

        Assert.True(errors.IsEmpty);
        Assert.Equal(parsed.Defaults, back.Defaults);
        Assert.Equal("Sicherheit", back.TitleFor("de-AT"));
        Assert.Equal("Security", back.TitleFor("ko"));
        Assert.True(back.Required);
        Assert.Equal("We must tell you", back.RequiredReason);
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_app_changes_a_category_and_transactional_is_always_listed()
    {
        var store = new InMemoryCategoryStore();
        var catalog = new CategoryCatalog(store, TimeProvider.System);
        var service = new CategoryService(store, catalog, new AuditLog(new NoAudit(), TimeProvider.System));
        var marketing = ParseCategory("marketing", """{"titles":{"en":"Marketing"},"defaults":{"email":false}}""", new ValidationErrors())!;

        var created = await service.PutAsync(marketing, App("owner"), Ct);
        var byOther = await service.PutAsync(marketing, App("other"), Ct);
        var byAdmin = await service.DeleteAsync("marketing", App("root", Scopes.Admin), Ct);
        var list = await service.ListAsync(Ct);

        Assert.Equal(ResultKind.Ok, created.Kind);
        Assert.Equal("owner", created.Value!.Owner);
        Assert.Equal(ResultKind.Forbidden, byOther.Kind);
        Assert.Equal(ResultKind.Ok, byAdmin.Kind);
        Assert.Equal([CategoryDefinition.Transactional], list.Select(c => c.Key));
    }

    [Fact]
    public async Task The_catalog_reads_storage_once_within_its_cache_duration_and_again_after_a_write_here()
    {
        var store = new InMemoryCategoryStore();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var catalog = new CategoryCatalog(store, time);

        _ = await catalog.GetAllAsync(Ct);
        _ = await catalog.GetAllAsync(Ct);
        var afterOne = store.Reads;
        time.Advance(TimeSpan.FromSeconds(31));
        _ = await catalog.GetAllAsync(Ct);
        catalog.Invalidate();
        var all = await catalog.GetAllAsync(Ct);

        Assert.Equal(1, afterOne);
        Assert.Equal(3, store.Reads);
        Assert.True(all.ContainsKey(CategoryDefinition.Transactional));
    }

    [Fact]
    public void Preferences_read_categories_beside_the_flat_channels_and_reject_what_is_not_a_choice()
    {
        var errors = new ValidationErrors();
        var ok = ParsePreferences("""{"push":true,"categories":{"marketing":{"email":false,"push":null},"digest":false,"news":null}}""", errors)!;
        var badErrors = new ValidationErrors();
        var bad = ParsePreferences("""{"categories":{"Marketing":false,"digest":"no","news":{"fax":true,"email":1}}}""", badErrors);

        Assert.True(errors.IsEmpty);
        Assert.True(ok.Push);
        Assert.Equal(new CategoryUpdate(null, new Dictionary<Channel, bool?> { [Channel.Email] = false, [Channel.Push] = null }), ok.CategoryUpdates!["marketing"]);
        Assert.Equal(new CategoryUpdate(false, null), ok.CategoryUpdates["digest"]);
        Assert.Null(ok.CategoryUpdates["news"]);
        Assert.Null(bad);
        Assert.Equal(["categories.Marketing", "categories.digest", "categories.news.email", "categories.news.fax"], badErrors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void False_for_a_category_replaces_its_channel_choices_a_channel_merges_and_null_clears()
    {
        var stored = ChannelPreferences.None with
        {
            Categories = new Dictionary<string, CategoryChoice>
            {
                ["marketing"] = new(null, Push: true, Email: true, Sms: null),
                ["news"] = new(false, null, null, null),
            },
        };

        var off = stored.Merge(ChannelPreferences.None with { CategoryUpdates = new Dictionary<string, CategoryUpdate?> { ["marketing"] = new(false, null) } });
        var channel = off.Merge(ChannelPreferences.None with { CategoryUpdates = new Dictionary<string, CategoryUpdate?> { ["marketing"] = new(null, new Dictionary<Channel, bool?> { [Channel.Email] = true }) } });
        var cleared = channel.Merge(ChannelPreferences.None with { CategoryUpdates = new Dictionary<string, CategoryUpdate?> { ["news"] = null } });

        Assert.Equal(new CategoryChoice(false, null, null, null), off.Categories["marketing"]);
        Assert.Equal(new CategoryChoice(false, null, true, null), channel.Categories["marketing"]);
        Assert.False(cleared.Categories.ContainsKey("news"));
        Assert.Equal("""{"email":true,"push":false,"sms":false}""", PreferencesView.CategoriesOf(cleared)["marketing"].GetRawText());
    }

    [Fact]
    public async Task An_unknown_category_or_a_required_one_turned_off_is_an_error_naming_the_field()
    {
        var store = new InMemoryCategoryStore();
        await store.TryWriteAsync(new CategoryDefinition("security", new Dictionary<string, string> { ["en"] = "Security" }, new Dictionary<string, string>(), true, "Account safety", ChannelPreferences.None), "app", null, Ct);
        var users = new UserService(null!, null!, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new NotifyOptions()), null, new CategoryCatalog(store, TimeProvider.System));
        var errors = new ValidationErrors();
        var update = ParsePreferences("""{"categories":{"security":{"email":false,"push":true},"nope":true,"transactional":false}}""", new ValidationErrors())!;
        var wholeErrors = new ValidationErrors();
        var whole = ParsePreferences("""{"categories":{"security":false}}""", new ValidationErrors())!;

        await users.CheckCategoriesAsync(update, "", errors, Ct);
        await users.CheckCategoriesAsync(whole, "users[3].preferences.", wholeErrors, Ct);

        Assert.Equal(["categories.nope", "categories.security.email"], errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
        Assert.Contains("Account safety", errors.ToDictionary()["categories.security.email"][0]);
        Assert.Equal(["users[3].preferences.categories.security"], wholeErrors.ToDictionary().Keys);
    }
}
