using CsCheck;
using Notify.Testing.Fakes;

namespace Notify.Core.Tests;

public sealed class DeliveryTests
{
    [Fact]
    public void Backoff_stays_within_the_exponential_ceiling_and_the_maximum()
    {
        Gen.Select(Gen.Int[1, 40], Gen.Double[0, 0.999999], Gen.Int[1, 10_000], Gen.Int[1, 100_000])
            .Sample((attempt, jitter, baseMs, maxMs) =>
            {
                var delay = RetryPolicy.Delay(attempt, TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromMilliseconds(maxMs), null, new FixedJitter(jitter));
                var ceiling = Math.Min(maxMs, baseMs * Math.Pow(2, attempt - 1));
                return delay >= TimeSpan.Zero && delay.TotalMilliseconds <= ceiling + 0.001;
            });
    }

    [Fact]
    public void Retry_after_wins_when_longer_than_the_backoff()
    {
        var delay = RetryPolicy.Delay(1, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30), new FixedJitter(0.5));

        Assert.Equal(TimeSpan.FromSeconds(30), delay);
    }

    [Fact]
    public void Full_jitter_spreads_the_delay_from_zero_to_the_ceiling()
    {
        Assert.Equal(TimeSpan.Zero, RetryPolicy.Delay(3, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), null, new FixedJitter(0)));
        Assert.Equal(TimeSpan.FromSeconds(2), RetryPolicy.Delay(3, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), null, new FixedJitter(0.5)));
    }

    [Fact]
    public void Request_ids_are_stable_per_app_and_event_and_differ_across_apps()
    {
        Assert.Equal(RequestIds.For("app1", "e1"), RequestIds.For("app1", "e1"));
        Assert.NotEqual(RequestIds.For("app1", "e1"), RequestIds.For("app2", "e1"));
        Assert.True(RequestIds.IsValid(RequestIds.For("app1", "e1")));
    }

    [Fact]
    public void Delivery_ids_round_trip_and_garbage_is_rejected()
    {
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 40], Gen.Int[1, 99_999]).Sample((eventId, seq) =>
        {
            var key = new DeliveryKey(RequestIds.For("app", eventId), seq);
            return DeliveryKey.TryParse(key.Id, out var parsed) && parsed == key;
        });
        Assert.False(DeliveryKey.TryParse("nope", out _));
        Assert.False(DeliveryKey.TryParse("abc-1", out _));
        Assert.False(DeliveryKey.TryParse(RequestIds.For("a", "b") + "-x", out _));
    }

    [Fact]
    public void Final_statuses_are_sent_failed_dead_lettered_skipped_cancelled_digested_and_the_post_send_ones()
    {
        var final = Enum.GetValues<DeliveryStatus>().Where(s => s.IsFinal()).Select(s => s.ToName()).Order();

        // Post-send statuses (provider events, tracking) are final for the worker too: nothing is left to send.
        Assert.Equal(["bounced", "cancelled", "clicked", "converted", "dead-lettered", "delivered", "digested", "failed", "opened", "sent", "skipped"], final);
    }

    [Fact]
    public void Queue_message_json_round_trips_with_short_names()
    {
        var message = new DeliveryMessage("r", 3, "W/\"x\"", 2, Channel.Push, "u") { Address = "tok", Platform = DevicePlatform.Apns, Locale = "ko" };

        var json = System.Text.Json.JsonSerializer.Serialize(message, QueueJson.Options);
        var back = System.Text.Json.JsonSerializer.Deserialize<DeliveryMessage>(json, QueueJson.Options);

        Assert.Equal(message, back);
        Assert.Contains("\"c\":\"push\"", json, StringComparison.Ordinal);
    }
}
