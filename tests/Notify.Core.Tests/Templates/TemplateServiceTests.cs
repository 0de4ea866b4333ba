using System.Collections.Concurrent;
using Notify.Core.Templates;

namespace Notify.Core.Tests.Templates;

/// <summary>PUT refuses what can be known without data; only the owner or an admin app changes a template.</summary>
public sealed class TemplateServiceTests
{
    private readonly MemoryTemplateStore _store = new();
    private readonly MemoryAuditStore _audit = new();
    private readonly TemplateService _service;

    public TemplateServiceTests()
    {
        _service = new TemplateService(_store, new TemplateCatalog(_store), new Audit.AuditLog(_audit, TimeProvider.System));
    }

    /// <summary>Keeps what the service audits (the port; the Table store has its own tests).</summary>
    private sealed class MemoryAuditStore : Audit.IAuditStore
    {
        public ConcurrentQueue<Audit.AuditEntry> Entries { get; } = new();

        public Task AppendAsync(Audit.AuditEntry entry, CancellationToken cancellationToken)
        {
            Entries.Enqueue(entry);
            return Task.CompletedTask;
        }

        public Task<Audit.AuditPage?> QueryAsync(Audit.AuditQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
            Task.FromResult<Audit.AuditPage?>(null);
    }

    private static AppRecord App(string key, params string[] scopes) =>
        new(key, key, Array.Empty<string>(), scopes.Length == 0 ? [Scopes.TemplatesWrite] : scopes, false, DateTimeOffset.UnixEpoch);

    private static string Sms(string liquid, string extra = "") =>
        """{"defaultLocale":"en","channels":{"sms":{"body":BODY}}EXTRA}""".Replace("BODY", System.Text.Json.JsonSerializer.Serialize(liquid), StringComparison.Ordinal).Replace("EXTRA", extra, StringComparison.Ordinal);

    /// <summary>Binds the body as the route does, then writes it; a body the binder refuses is Invalid with its errors.</summary>
    private async Task<Result<TemplateView>> PutAsync(string json, AppRecord caller, string name = "t")
    {
        var errors = new ValidationErrors();
        var request = PutTemplateRequest.Parse(name, Json.Parse(json), errors);
        return request is null ? Result<TemplateView>.Invalid(errors) : await _service.PutAsync(request, caller, CancellationToken.None);
    }

    [Theory]
    [InlineData("{% for i in (1..100000000) %}x{% endfor %}", "MaxSteps")]
    [InlineData("{% for i in (1..200) %}{% for j in (1..200) %}x{% endfor %}{% endfor %}", "MaxSteps")]
    [InlineData("{% assign all = (1..100000000) %}", "MaxSteps")]
    [InlineData("{{ 1 | divided_by: 0 }}", "division by zero")]
    [InlineData("{% assign x = \"abc\" | slice: 99999999999 %}", "out of range")]
    public async Task What_fails_without_data_is_refused_at_put_naming_the_field(string liquid, string reason)
    {
        var result = await PutAsync(Sms(liquid), App("a"));

        Assert.Equal(ResultKind.Invalid, result.Kind);
        var messages = result.Errors!.ToDictionary()["channels.sms.body"];
        Assert.Contains(messages, m => m.Contains(reason, StringComparison.Ordinal));
        Assert.Empty(_store.Rows);
    }

    public static TheoryData<string, string> DeepShapes => new()
    {
        { string.Concat(Enumerable.Repeat("{%if 1%}", 800)) + "x" + string.Concat(Enumerable.Repeat("{%endif%}", 800)), "nested more than 50" },
        { string.Concat(Enumerable.Repeat("{%if 1%}", 1000)), "nested more than 50" },
        { "{% liquid\n" + string.Concat(Enumerable.Repeat("if 1\n", 60)) + " %}", "nested more than 50" },
        { "{{ a" + string.Concat(Enumerable.Repeat(" | upcase", 6000)) + " }}", "filters, operators or nested brackets" },
        { "{{ " + string.Concat(Enumerable.Repeat("a[", 2000)) + "1" + new string(']', 2000) + " }}", "filters, operators or nested brackets" },
        { "{% if " + string.Join(" and ", Enumerable.Repeat("a", 5000)) + " %}x{% endif %}", "filters, operators or nested brackets" },
    };

    /// <summary>Shapes that overflow the stack inside Fluid (a crash no catch survives) are refused before parsing.</summary>
    [Theory]
    [MemberData(nameof(DeepShapes))]
    public async Task Liquid_nested_or_chained_deep_enough_to_overflow_the_parser_is_refused_at_put(string liquid, string reason)
    {
        var result = await PutAsync(Sms(liquid), App("a"));

        Assert.Contains(result.Errors!.ToDictionary()["channels.sms.body"], m => m.Contains(reason, StringComparison.Ordinal) && m.Contains("line 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fifty_nested_blocks_are_still_accepted()
    {
        var liquid = string.Concat(Enumerable.Repeat("{% if 1 %}", 50)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 50));

        Assert.Equal(ResultKind.Ok, (await PutAsync(Sms(liquid), App("a"))).Kind);
    }

    [Fact]
    public async Task Literal_text_longer_than_the_fields_cap_is_refused_at_put()
    {
        var result = await PutAsync(Sms(new string('x', 1601)), App("a"));

        Assert.Contains(result.Errors!.ToDictionary()["channels.sms.body"], m => m.Contains("SmsBodyChars", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Loops_nested_deeper_than_allowed_are_refused_at_put()
    {
        var liquid = string.Concat(Enumerable.Repeat("{% for i in (1..1) %}", 17)) + "x" + string.Concat(Enumerable.Repeat("{% endfor %}", 17));

        var result = await PutAsync(Sms(liquid), App("a"));

        Assert.Contains(result.Errors!.ToDictionary()["channels.sms.body"], m => m.Contains("MaxNesting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_template_that_only_fails_for_some_data_is_accepted_at_put()
    {
        var result = await PutAsync(Sms("{{ 10 | divided_by: data.n }} {% for i in (1..data.n) %}x{% endfor %}"), App("a"));

        Assert.Equal(ResultKind.Ok, result.Kind);
    }

    [Fact]
    public async Task The_creator_owns_the_template_and_may_change_it()
    {
        Assert.Equal("a", (await PutAsync(Sms("one"), App("a"))).Value!.Owner);

        var second = await PutAsync(Sms("two"), App("a"));

        Assert.Equal(ResultKind.Ok, second.Kind);
        Assert.Equal("a", _store.Rows["t"].Owner);
        Assert.Equal([("a", "put", "t"), ("a", "put", "t")], _audit.Entries.Select(e => (e.AppKey, e.Action, e.Target)));
    }

    [Fact]
    public async Task Another_app_may_not_change_it_and_nothing_is_written()
    {
        await PutAsync(Sms("one"), App("a"));
        var version = _store.Rows["t"].Version;

        var result = await PutAsync(Sms("two", ""","senders":["b"]"""), App("b"));

        Assert.Equal(ResultKind.Forbidden, result.Kind);
        Assert.Equal(version, _store.Rows["t"].Version);
        Assert.DoesNotContain(_audit.Entries, e => e.AppKey == "b");
    }

    [Fact]
    public async Task An_admin_app_may_change_it_and_the_owner_stays()
    {
        await PutAsync(Sms("one"), App("a"));

        var result = await PutAsync(Sms("two"), App("root", Scopes.Admin));

        Assert.Equal(ResultKind.Ok, result.Kind);
        Assert.Equal("a", _store.Rows["t"].Owner);
    }

    [Fact]
    public async Task A_template_stored_before_owners_is_changed_only_by_an_admin_app()
    {
        await _store.PutAsync("t", Sms("legacy"), CancellationToken.None);

        Assert.Equal(ResultKind.Forbidden, (await PutAsync(Sms("mine"), App("a"))).Kind);
        Assert.Equal(ResultKind.Ok, (await PutAsync(Sms("fixed"), App("root", Scopes.Admin))).Kind);
        Assert.Null(_store.Rows["t"].Owner);
    }

    [Theory]
    [InlineData("""["x y"]""", "senders[0]")]
    [InlineData("""["b","b"]""", "senders[1]")]
    [InlineData("\"*\"", "senders")]
    public async Task Malformed_senders_are_refused(string senders, string field)
    {
        var result = await PutAsync(Sms("x", $",\"senders\":{senders}"), App("a"));

        Assert.True(result.Errors!.Has(field));
    }

    [Theory]
    [InlineData(null, null, "a", true)]
    [InlineData(null, null, "b", true)]
    [InlineData(null, new[] { "c" }, "b", false)]
    [InlineData("a", null, "a", true)]
    [InlineData("a", null, "b", false)]
    [InlineData("a", new string[0], "b", false)]
    [InlineData("a", new[] { "b" }, "b", true)]
    [InlineData("a", new[] { "b" }, "c", false)]
    [InlineData("a", new[] { "*" }, "c", true)]
    public void Who_may_send(string? owner, string[]? senders, string app, bool allowed) =>
        Assert.Equal(allowed, TemplateAccess.MaySend(owner, senders, app));

    [Fact]
    public async Task The_catalog_carries_owner_and_senders_to_ingest()
    {
        await PutAsync(Sms("x", ""","senders":["b"]"""), App("a"));

        var compiled = await new TemplateCatalog(_store).GetCurrentAsync("t", CancellationToken.None);

        Assert.True(compiled!.MaySend("a"));
        Assert.True(compiled.MaySend("b"));
        Assert.False(compiled.MaySend("c"));
    }

    private sealed class MemoryTemplateStore : ITemplateStore
    {
        public ConcurrentDictionary<string, StoredTemplate> Rows { get; } = new();

        public Task<StoredTemplate?> GetAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult(Rows.TryGetValue(name, out var row) ? row : null);

        public Task<StoredTemplate> PutAsync(string name, string json, CancellationToken cancellationToken) =>
            Task.FromResult(Rows[name] = new StoredTemplate(name, json, Guid.NewGuid().ToString("N"), DateTimeOffset.UnixEpoch));

        public Task<StoredTemplate?> TryWriteAsync(string name, string json, string? owner, string? expectedVersion, CancellationToken cancellationToken)
        {
            Rows.TryGetValue(name, out var current);
            if (current?.Version != expectedVersion)
            {
                return Task.FromResult<StoredTemplate?>(null);
            }
            return Task.FromResult<StoredTemplate?>(Rows[name] = new StoredTemplate(name, json, Guid.NewGuid().ToString("N"), DateTimeOffset.UnixEpoch) { Owner = owner });
        }
    }
}
