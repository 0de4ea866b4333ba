using CsCheck;

namespace Notify.Core.Tests.Apps;

public sealed class QuotaAndThrottleTests
{
    private static (RequestQuota Quota, FakeTimeProvider Time) NewQuota(double rate, int burst, Action<QuotaOptions>? configure = null)
    {
        var options = new SecurityOptions { Quota = { RequestsPerSecond = rate, Burst = burst } };
        configure?.Invoke(options.Quota);
        var time = new FakeTimeProvider();
        return (new RequestQuota(time, new Monitor<SecurityOptions>(options)), time);
    }

    [Fact]
    public void The_bucket_allows_a_burst_then_refuses_with_the_time_until_the_next_token()
    {
        var (quota, _) = NewQuota(rate: 2, burst: 3);

        var results = Enumerable.Range(0, 4).Select(_ => quota.TryAcquire("app")).ToList();

        Assert.Equal([null, null, null], results.Take(3));
        Assert.Equal(TimeSpan.FromSeconds(0.5), results[3]);
    }

    [Fact]
    public void The_bucket_refills_at_the_rate_and_never_above_the_burst()
    {
        var (quota, time) = NewQuota(rate: 2, burst: 3);
        for (var i = 0; i < 3; i++)
        {
            quota.TryAcquire("app");
        }

        time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Null(quota.TryAcquire("app"));
        Assert.NotNull(quota.TryAcquire("app"));

        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => quota.TryAcquire("app") is null));
    }

    [Fact]
    public void Apps_have_separate_buckets_and_an_override_applies_to_its_app_only()
    {
        var (quota, _) = NewQuota(rate: 1, burst: 1, q => q.Apps["big"] = new QuotaLimit { Burst = 5 });

        Assert.Equal(1, Enumerable.Range(0, 10).Count(_ => quota.TryAcquire("small") is null));
        Assert.Equal(5, Enumerable.Range(0, 10).Count(_ => quota.TryAcquire("big") is null));
        Assert.Equal(1, Enumerable.Range(0, 10).Count(_ => quota.TryAcquire("other") is null));
    }

    [Fact]
    public void Over_any_schedule_the_bucket_never_allows_more_than_burst_plus_rate_times_elapsed()
    {
        Gen.Select(Gen.Double[0.5, 50], Gen.Int[1, 20], Gen.Int[0, 2000].Array[1, 200]).Sample((rate, burst, gapsMs) =>
        {
            var (quota, time) = NewQuota(rate, burst);
            var allowed = 0;
            foreach (var gap in gapsMs)
            {
                time.Advance(TimeSpan.FromMilliseconds(gap));
                if (quota.TryAcquire("app") is null)
                {
                    allowed++;
                }
            }
            return allowed <= burst + rate * gapsMs.Sum() / 1000.0 + 1e-9;
        });
    }

    private static (FailedAuthThrottle Throttle, FakeTimeProvider Time) NewThrottle(int perPair, int perAddress, int maxTracked = 100_000, int perKey = 1_000)
    {
        var options = new SecurityOptions { FailedAuth = { PerAddressAndKey = perPair, PerAppKey = perKey, PerAddress = perAddress, Window = TimeSpan.FromMinutes(1), MaxTracked = maxTracked } };
        var time = new FakeTimeProvider();
        return (new FailedAuthThrottle(time, new Monitor<SecurityOptions>(options)), time);
    }

    [Fact]
    public void An_address_is_blocked_for_a_key_after_its_limit_until_the_window_ends_and_other_addresses_are_not()
    {
        var (throttle, time) = NewThrottle(perPair: 3, perAddress: 100);

        var started = Enumerable.Range(0, 3).Select(_ => throttle.RecordFailure("app", "10.0.0.1").BlockStarted).ToList();

        Assert.Equal([false, false, true], started);
        Assert.Equal(TimeSpan.FromMinutes(1), throttle.BlockedFor("app", "10.0.0.1"));
        Assert.Null(throttle.BlockedFor("app", "10.9.9.9"));
        Assert.Null(throttle.BlockedFor("other-app", "10.0.0.1"));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.BlockedFor("app", "10.0.0.1"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(throttle.BlockedFor("app", "10.0.0.1"));
    }

    [Fact]
    public void Failures_for_a_key_from_many_addresses_never_block_the_key_but_raise_the_burst_once_a_window()
    {
        var (throttle, time) = NewThrottle(perPair: 3, perAddress: 100, perKey: 5);

        var recorded = Enumerable.Range(0, 50).Select(i => throttle.RecordFailure("app", $"10.0.{i % 10}.{i}")).ToList();

        Assert.Equal(1, recorded.Count(r => r.KeyBurst is not null));
        Assert.Equal((5, TimeSpan.FromMinutes(1)), recorded[4].KeyBurst);
        Assert.DoesNotContain(recorded, r => r.BlockStarted);
        Assert.Null(throttle.BlockedFor("app", "10.9.9.9"));
        time.Advance(TimeSpan.FromMinutes(1));
        var nextWindow = Enumerable.Range(0, 5).Select(i => throttle.RecordFailure("app", $"10.1.0.{i}").KeyBurst).ToList();
        Assert.Equal([false, false, false, false, true], nextWindow.Select(b => b is not null));
    }

    [Fact]
    public void An_address_is_blocked_after_its_limit_whatever_keys_it_tries()
    {
        var (throttle, _) = NewThrottle(perPair: 100, perAddress: 2);

        throttle.RecordFailure(null, "10.0.0.1");
        throttle.RecordFailure("app", "10.0.0.1");

        Assert.NotNull(throttle.BlockedFor(null, "10.0.0.1"));
        Assert.NotNull(throttle.BlockedFor("app", "10.0.0.1"));
        Assert.Null(throttle.BlockedFor("app", "10.0.0.2"));
    }

    [Fact]
    public void Tracking_is_bounded_and_expired_entries_make_room()
    {
        var (throttle, time) = NewThrottle(perPair: 100, perAddress: 1, maxTracked: 100);
        for (var i = 0; i < 100; i++)
        {
            throttle.RecordFailure(null, $"10.0.0.{i}");
        }

        throttle.RecordFailure(null, "10.0.1.1");
        Assert.Null(throttle.BlockedFor(null, "10.0.1.1"));

        time.Advance(TimeSpan.FromMinutes(2));
        throttle.RecordFailure(null, "10.0.1.1");
        Assert.NotNull(throttle.BlockedFor(null, "10.0.1.1"));
    }
}
