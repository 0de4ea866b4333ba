using Azure.Data.Tables;
using Notify.Core.RateLimiting;
using Notify.Storage.RateLimiting;

namespace Notify.IntegrationTests;

/// <summary>
/// The rate limiter's slot rows against the real Azurite: exact limits when several instances (each with its own
/// memory of taken slots) race for the same users, many users per call.
/// </summary>
public sealed class RateLimiterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TableRateLimiter NewInstance(string prefix) =>
        new(new TableServiceClient(Azurite.ConnectionString), new StorageNames(prefix));

    [Fact]
    public async Task Instances_racing_for_the_same_users_never_grant_more_than_the_limit()
    {
        var prefix = "r" + Guid.NewGuid().ToString("N")[..10];
        var instances = Enumerable.Range(0, 3).Select(_ => NewInstance(prefix)).ToList();
        var users = Enumerable.Range(0, 30).Select(i => $"racer-{i}-{Guid.NewGuid():N}").ToList();
        var limits = new Dictionary<Channel, int> { [Channel.Sms] = 4, [Channel.Email] = 2 };
        var now = DateTimeOffset.UtcNow;

        // 3 instances x 4 calls each, all at once, every call for all 30 users on two channels.
        var calls = instances.SelectMany(limiter => Enumerable.Range(0, 4).Select(_ =>
            limiter.AcquireAsync([.. users.Select(u => new RateRequest(u, limits))], now, Ct)));
        var results = await Task.WhenAll(calls);

        foreach (var user in users)
        {
            Assert.Equal(4, results.Count(r => r.GetValueOrDefault(user)?.Contains(Channel.Sms) == true));
            Assert.Equal(2, results.Count(r => r.GetValueOrDefault(user)?.Contains(Channel.Email) == true));
        }
    }

    [Fact]
    public async Task A_new_window_starts_from_zero_and_another_instance_learns_the_count_from_a_conflict()
    {
        var prefix = "r" + Guid.NewGuid().ToString("N")[..10];
        var first = NewInstance(prefix);
        var second = NewInstance(prefix);
        var user = "window-" + Guid.NewGuid().ToString("N");
        var limits = new Dictionary<Channel, int> { [Channel.Push] = 2 };
        var hour = new DateTimeOffset(2026, 12, 2, 10, 30, 0, TimeSpan.Zero);

        var a = await first.AcquireAsync([new RateRequest(user, limits)], hour, Ct);
        var b = await second.AcquireAsync([new RateRequest(user, limits)], hour, Ct);
        var c = await second.AcquireAsync([new RateRequest(user, limits)], hour, Ct);
        var nextHour = await first.AcquireAsync([new RateRequest(user, limits)], hour.AddHours(1), Ct);

        Assert.Contains(Channel.Push, a[user]);
        Assert.Contains(Channel.Push, b[user]);
        Assert.False(c.ContainsKey(user));
        Assert.Contains(Channel.Push, nextHour[user]);
    }
}
