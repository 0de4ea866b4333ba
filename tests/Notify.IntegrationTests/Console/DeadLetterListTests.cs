namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>Dead letters listed with reason and attempts, also those indexed before the index kept them.</summary>
public sealed class DeadLetterListTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rows_indexed_without_reason_and_attempts_get_them_from_the_log_with_one_point_read_each()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        string[] users = [await api.NewUserAsync(), await api.NewUserAsync(), await api.NewUserAsync()];
        var eventId = "evt-" + Guid.NewGuid().ToString("N");
        var (_, body) = await api.SendAsync(eventId, template, users, """["email"]""");
        var ids = body["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();
        var (current, old, moved) = (ids[0], ids[1], ids[2]);
        var log = host.Service<IDeliveryLog>();
        var index = host.Service<IDeadLetterIndex>();
        foreach (var id in ids)
        {
            // Dead-lettered in the log as the poison handler leaves a delivery.
            Assert.True(DeliveryKey.TryParse(id, out var key));
            var record = await log.GetAsync(key, Ct);
            var transition = new DeliveryTransition(DeliveryStatus.DeadLettered, 3, DateTimeOffset.UtcNow) { LastError = "dead-lettered: failed too many times on notify-email" };
            Assert.NotNull(await log.TryTransitionAsync(key, record!.ETag!, transition, Ct));
        }
        var counter = host.Service<StorageOperationCounter>();
        async Task<long> PointReadsOfListingAsync()
        {
            var before = counter.Snapshot().GetValueOrDefault("table:point-read");
            await api.GetJsonAsync("/api/v1/admin/dead-letters");
            return counter.Snapshot().GetValueOrDefault("table:point-read") - before;
        }
        await PointReadsOfListingAsync(); // the app's first calls read and write what they read and write once
        var empty = await PointReadsOfListingAsync();
        // A row as the index writes it now (its own reason and attempts, which the log is not asked for).
        await index.AddAsync(new DeadLetterEntry(api.AppKey, current, eventId, Channel.Email, DateTimeOffset.UtcNow, "notify-email") { Reason = "kept in the row", Attempts = 5 }, Ct);
        var withCompleteRow = await PointReadsOfListingAsync();
        // Rows as the index wrote them before it kept reason and attempts; one of them for a delivery replayed since.
        await index.AddAsync(new DeadLetterEntry(api.AppKey, old, eventId, Channel.Email, DateTimeOffset.UtcNow, "notify-email"), Ct);
        await index.AddAsync(new DeadLetterEntry(api.AppKey, moved, eventId, Channel.Email, DateTimeOffset.UtcNow, "notify-email"), Ct);
        Assert.True(DeliveryKey.TryParse(moved, out var movedKey));
        var movedRecord = await log.GetAsync(movedKey, Ct);
        Assert.NotNull(await log.TryTransitionAsync(movedKey, movedRecord!.ETag!, new DeliveryTransition(DeliveryStatus.Queued, 3, DateTimeOffset.UtcNow) { Detail = "replayed" }, Ct));

        var withOldRows = await PointReadsOfListingAsync();
        var listed = (await api.GetJsonAsync("/api/v1/admin/dead-letters"))["deadLetters"]!.AsArray().ToDictionary(d => d!["id"]!.GetValue<string>());
        var dryRun = (await ApiClient.ReadAsync(await api.PostJsonAsync("/api/v1/admin/dead-letters/replay", """{"dryRun":true}""")))["deliveries"]!.AsArray()
            .Single(d => d!["id"]!.GetValue<string>() == old)!;

        Assert.Equal(("kept in the row", 5), (listed[current]!["reason"]!.GetValue<string>(), listed[current]!["attempts"]!.GetValue<int>()));
        Assert.Equal(("dead-lettered: failed too many times on notify-email", 3), (listed[old]!["reason"]!.GetValue<string>(), listed[old]!["attempts"]!.GetValue<int>()));
        Assert.Equal(3, dryRun["attempts"]!.GetValue<int>());
        // No longer dead-lettered: the log says nothing about why it was.
        Assert.Null(listed[moved]!["reason"]);
        Assert.Null(listed[moved]!["attempts"]);
        Assert.Equal(empty, withCompleteRow);
        Assert.Equal(empty + 2, withOldRows);
    }
}
