using Notify.Core.Breakers;
using Notify.Testing.Fakes;

namespace Notify.Core.Tests.Breakers;

/// <summary>What counts against a provider, when a breaker lets sends through, probes or waits, and where a delivery may go.</summary>
public sealed class BreakerRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    public static TheoryData<DeliveryOutcome> ProviderFailures => new()
    {
        new DeliveryOutcome.Transient("connection-failed", "refused", NotAccepted: true),
        new DeliveryOutcome.Transient("http-500", "boom", NotAccepted: true),
        new DeliveryOutcome.Transient("http-429", "slow down", TimeSpan.FromSeconds(3), NotAccepted: true),
        new DeliveryOutcome.Transient("timeout", "no answer"),
        new DeliveryOutcome.Misconfigured("http-401", "bad key"),
    };

    public static TheoryData<DeliveryOutcome> NotTheProvidersFault => new()
    {
        new DeliveryOutcome.Sent("id-1"),
        new DeliveryOutcome.InvalidRecipient("21211", "not a number"),
        new DeliveryOutcome.InvalidRecipient("21610", "STOP", OptedOut: true),
        new DeliveryOutcome.Permanent("http-400", "content too long"),
    };

    [Theory]
    [MemberData(nameof(ProviderFailures))]
    public void Outcomes_that_say_the_provider_is_down_or_unusable_count_as_failures(DeliveryOutcome outcome) =>
        Assert.True(BreakerRules.IsFailure(outcome));

    [Theory]
    [MemberData(nameof(NotTheProvidersFault))]
    public void A_verdict_about_one_message_or_recipient_never_counts_against_the_provider(DeliveryOutcome outcome) =>
        Assert.False(BreakerRules.IsFailure(outcome));

    [Fact]
    public void Closed_here_and_in_the_shared_row_lets_sends_pass()
    {
        Assert.IsType<Gate.Pass>(BreakerRules.Decide(LocalBreaker.Closed, null, Now));
        Assert.IsType<Gate.Pass>(BreakerRules.Decide(LocalBreaker.Closed, new BreakerRow("twilio") { ChangedAt = Now.AddMinutes(-1) }, Now));
    }

    [Fact]
    public void Open_here_waits_until_the_break_is_over_then_probes()
    {
        var local = new LocalBreaker(Now, Now.AddSeconds(30));

        Assert.Equal(new Gate.Wait(Now.AddSeconds(30)), BreakerRules.Decide(local, null, Now.AddSeconds(10)));
        Assert.IsType<Gate.Probe>(BreakerRules.Decide(local, null, Now.AddSeconds(30)));
    }

    [Fact]
    public void Open_in_the_shared_row_waits_even_when_this_instance_saw_no_failure()
    {
        var shared = new BreakerRow("twilio") { Open = true, OpenUntil = Now.AddSeconds(20), ChangedAt = Now };

        Assert.Equal(new Gate.Wait(Now.AddSeconds(20)), BreakerRules.Decide(LocalBreaker.Closed, shared, Now.AddSeconds(1)));
    }

    [Fact]
    public void Open_in_both_waits_for_the_later_end()
    {
        var local = new LocalBreaker(Now, Now.AddSeconds(30));
        var shared = new BreakerRow("twilio") { Open = true, OpenUntil = Now.AddSeconds(45), ChangedAt = Now };

        Assert.Equal(new Gate.Wait(Now.AddSeconds(45)), BreakerRules.Decide(local, shared, Now.AddSeconds(31)));
    }

    [Fact]
    public void A_probe_lease_held_by_any_instance_keeps_everyone_else_waiting()
    {
        var shared = new BreakerRow("twilio") { Open = true, OpenUntil = Now, ProbeUntil = Now.AddSeconds(10), ChangedAt = Now.AddSeconds(-30) };

        Assert.Equal(new Gate.Wait(Now.AddSeconds(10)), BreakerRules.Decide(LocalBreaker.Closed, shared, Now.AddSeconds(1)));
        Assert.Equal(new Gate.Wait(Now.AddSeconds(5)), BreakerRules.Decide(new LocalBreaker(Now.AddSeconds(-30), Now, Now.AddSeconds(5)), null, Now.AddSeconds(1)));
        Assert.IsType<Gate.Probe>(BreakerRules.Decide(LocalBreaker.Closed, shared, Now.AddSeconds(10)));
    }

    [Fact]
    public void A_close_stored_after_this_instances_open_ends_it_and_an_older_one_does_not()
    {
        var local = new LocalBreaker(Now, Now.AddSeconds(30));
        var closedLater = new BreakerRow("twilio") { Open = false, ChangedAt = Now.AddSeconds(5) };
        var closedBefore = new BreakerRow("twilio") { Open = false, ChangedAt = Now.AddSeconds(-5) };

        Assert.True(BreakerRules.ClosedElsewhere(local, closedLater));
        Assert.IsType<Gate.Pass>(BreakerRules.Decide(local, closedLater, Now.AddSeconds(6)));
        Assert.False(BreakerRules.ClosedElsewhere(local, closedBefore));
        Assert.IsType<Gate.Wait>(BreakerRules.Decide(local, closedBefore, Now.AddSeconds(6)));
    }

    [Fact]
    public void A_delivery_that_may_move_tries_the_channels_providers_from_its_own_on_wrapping_around()
    {
        string[] order = ["sendgrid", "smtp", "ses"];

        Assert.Equal(["sendgrid", "smtp", "ses"], BreakerRules.Candidates(order, "sendgrid", mayMove: true));
        Assert.Equal(["smtp", "ses", "sendgrid"], BreakerRules.Candidates(order, "smtp", mayMove: true));
    }

    [Fact]
    public void A_delivery_whose_last_outcome_is_unknown_stays_with_its_provider() =>
        Assert.Equal(["twilio"], BreakerRules.Candidates(["twilio", "vonage"], "twilio", mayMove: false));

    [Fact]
    public void Waiting_lasts_until_the_breaker_may_probe_within_a_second_and_the_maximum_plus_jitter()
    {
        var settings = new BreakerOptions { MaxWait = TimeSpan.FromSeconds(30) };

        Assert.Equal(TimeSpan.FromSeconds(10.5), BreakerRules.WaitDelay(Now.AddSeconds(10), Now, settings, new FixedJitter(0.5)));
        Assert.Equal(TimeSpan.FromSeconds(1), BreakerRules.WaitDelay(Now, Now, settings, new FixedJitter(0)));
        Assert.Equal(TimeSpan.FromSeconds(30), BreakerRules.WaitDelay(Now.AddMinutes(5), Now, settings, new FixedJitter(0)));
    }

    [Fact]
    public void A_retry_after_an_outcome_that_allows_failover_may_move_and_one_after_a_timeout_may_not()
    {
        var record = new DeliveryRecord(new DeliveryKey(RequestIds.For("app", "e1"), 1), "app", "e1", "user-1", Channel.Sms, DeliveryStatus.Queued, null, 0, Now.AddMinutes(-1), Now.AddMinutes(-1))
        {
            ETag = "W/\"etag\"",
        };
        var claim = new Claim(DeliveryMessage.For(record, 1), "W/\"claimed\"");
        var request = new RequestRecord(RequestIds.For("app", "e1"), "app", "e1", "hash", RequestState.Logged, "welcome", "v1", "{}", Priority.Normal, 1, Now.AddMinutes(-1));
        var settings = new DeliveryOptions { MaxAttempts = 5 };
        FollowUp.Retry Retry(DeliveryOutcome outcome) => Assert.IsType<FollowUp.Retry>(OutcomeRules.Plan(
            new SendResult.Attempted(claim, request, "twilio", outcome) { Order = ["twilio", "vonage"] }, Now, settings, new FixedJitter(0.5)).FollowUp);

        Assert.True(Retry(new DeliveryOutcome.Transient("http-500", "boom", NotAccepted: true)).MayFailOver);
        Assert.False(Retry(new DeliveryOutcome.Transient("timeout", "no answer")).MayFailOver);
    }

    [Fact]
    public void The_failover_mark_travels_in_the_queue_message_only_when_set()
    {
        var message = new DeliveryMessage("r1", 1, "W/\"e\"", 2, Channel.Sms, "user-1") { Provider = "vonage" };

        var unmarked = DeliveryBatch.Single(message).ToJson();
        var marked = DeliveryBatch.Single(message with { MayFailOver = true }).ToJson();

        Assert.DoesNotContain("\"fo\"", unmarked, StringComparison.Ordinal);
        Assert.True(DeliveryBatch.TryParse(marked)!.Deliveries[0].MayFailOver);
        Assert.False(DeliveryBatch.TryParse(unmarked)!.Deliveries[0].MayFailOver);
    }
}
