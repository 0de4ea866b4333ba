using Azure.Data.Tables;
using Notify.IntegrationTests.Security;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>The admin contact lookup: a keyed-hash index written with user writes and the users batch, never a contact in clear.</summary>
public sealed class ContactLookupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NotifyHost Host() => new(new Dictionary<string, string?>
    {
        ["LocalHost:QueuePumps"] = "false",
        ["Notify:Console:ContactLookupKey"] = Convert.ToBase64String(Enumerable.Range(40, 32).Select(i => (byte)i).ToArray()),
    });

    [Fact]
    public async Task Users_written_one_by_one_or_in_a_batch_are_found_by_email_or_phone_and_a_changed_contact_is_not()
    {
        await using var host = Host();
        var admin = await host.NewAppAsync(Scopes.Admin, Scopes.UsersWrite);
        var unique = Guid.NewGuid().ToString("N")[..10];
        var email = $"Ann.{unique}@Example.com";
        var single = await admin.NewUserAsync(email: email, phone: "+15555550123");
        var batched = $"user-{unique}";
        var batch = new JsonObject { ["users"] = new JsonArray(new JsonObject { ["userId"] = batched, ["email"] = $"bob.{unique}@example.com" }) };
        Assert.Equal(HttpStatusCode.OK, (await admin.PostJsonAsync("/api/v1/users/batch", batch.ToJsonString())).StatusCode);

        var byEmail = await admin.GetJsonAsync($"/api/v1/admin/users/lookup?email={Uri.EscapeDataString("  " + email.ToLowerInvariant())}");
        var byBatch = await admin.GetJsonAsync($"/api/v1/admin/users/lookup?email={Uri.EscapeDataString($"bob.{unique}@example.com")}");
        Assert.Equal(single, Assert.Single(byEmail["users"]!.AsArray())!["userId"]!.GetValue<string>());
        Assert.Equal(batched, Assert.Single(byBatch["users"]!.AsArray())!["userId"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await admin.PutJsonAsync($"/api/v1/users/{single}", $$"""{"email":"new.{{unique}}@example.com"}""")).StatusCode);
        var stale = await admin.GetJsonAsync($"/api/v1/admin/users/lookup?email={Uri.EscapeDataString(email)}");
        Assert.Empty(stale["users"]!.AsArray());

        // No contact in clear anywhere in the index.
        var table = host.Service<TableServiceClient>().GetTableClient(host.Service<StorageNames>().Contacts);
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            Assert.DoesNotContain("@", row.RowKey + row.PartitionKey, StringComparison.Ordinal);
            Assert.DoesNotContain("5555550123", row.RowKey, StringComparison.Ordinal);
        }
        var reader = await host.NewAppAsync(Scopes.UsersWrite);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.Http.GetAsync($"/api/v1/admin/users/lookup?email=a@b.c", Ct)).StatusCode);
        await admin.Http.GetAsync("/api/v1/admin/apps", Ct);
        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => admin.Http.GetAsync("/api/v1/admin/users/lookup?phone=12", Ct), "bad phone");
        Assert.NotNull(problem["errors"]!["phone"]);
    }

    [Fact]
    public async Task Without_its_key_the_lookup_is_404()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var admin = await host.NewAppAsync(Scopes.Admin);

        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/api/v1/admin/users/lookup?email=a@example.com", Ct)).StatusCode);
    }
}
