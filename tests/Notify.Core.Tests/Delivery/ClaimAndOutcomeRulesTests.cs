using CsCheck;
using Notify.Testing.Fakes;

namespace Notify.Core.Tests.Delivery;

/// <summary>The worker's decisions without storage: what a stale message does, and what each outcome writes.</summary>
public sealed class ClaimAndOutcomeRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly DeliveryOptions Settings = new() { MaxAttempts = 3, Lease = TimeSpan.FromSeconds(90), RetryBaseDelay = TimeSpan.FromSeconds(4), RetryMaxDelay = TimeSpan.FromMinutes(5) };

    private static DeliveryRecord Record(DeliveryStatus status, int attempts = 1) =>
        new(new DeliveryKey(RequestIds.For("app", "e1"), 1), "app", "e1", "user-1", Channel.Sms, status, null, attempts, Now.AddMinutes(-1), Now.AddMinutes(-1))
        {
            ETag = "W/\"etag\"",
        };

    private static Claim ClaimOf(int attempt = 1) =>
        new(DeliveryMessage.For(Record(DeliveryStatus.Queued, 0), attempt), "W/\"claimed\"");

    private static RequestRecord Request(DateTimeOffset createdAt) =>
        new(RequestIds.For("app", "e1"), "app", "e1", "hash", RequestState.Logged, "welcome", "v1", "{}", Priority.Normal, 1, createdAt);

    [Fact]
    public void A_final_delivery_is_dropped_whatever_its_message_says()
    {
        foreach (var status in new[] { DeliveryStatus.Sent, DeliveryStatus.Failed, DeliveryStatus.Skipped, DeliveryStatus.DeadLettered })
        {
            Assert.IsType<ClaimDecision.Drop>(ClaimRules.Decide(Record(status), Now, Settings));
        }
        Assert.IsType<ClaimDecision.Drop>(ClaimRules.Decide(null, Now, Settings));
    }

    [Fact]
    public void A_live_lease_makes_the_message_come_back_when_the_lease_ends()
    {
        var leased = Record(DeliveryStatus.Sending) with { LeaseUntil = Now.AddSeconds(40) };

        var busy = Assert.IsType<ClaimDecision.Busy>(ClaimRules.Decide(leased, Now, Settings));

        Assert.Equal(TimeSpan.FromSeconds(40), busy.RetryIn);
    }

    [Fact]
    public void An_expired_lease_is_taken_over_as_the_next_attempt()
    {
        var dead = Record(DeliveryStatus.Sending, attempts: 1) with { LeaseUntil = Now.AddSeconds(-1) };

        Assert.Equal(new ClaimDecision.Claimable(2), ClaimRules.Decide(dead, Now, Settings));
    }

    [Fact]
    public void An_early_copy_of_a_delayed_retry_is_dropped_and_a_due_one_is_claimed()
    {
        var waiting = Record(DeliveryStatus.Retrying) with { NextAttemptAt = Now.AddSeconds(30) };
        var due = Record(DeliveryStatus.Retrying) with { NextAttemptAt = Now.AddMilliseconds(500) };

        Assert.IsType<ClaimDecision.Drop>(ClaimRules.Decide(waiting, Now, Settings));
        Assert.Equal(new ClaimDecision.Claimable(2), ClaimRules.Decide(due, Now, Settings));
    }

    [Fact]
    public void Past_the_retry_budget_a_delivery_is_exhausted_counting_from_its_last_replay()
    {
        Assert.IsType<ClaimDecision.Exhausted>(ClaimRules.Decide(Record(DeliveryStatus.Retrying, attempts: 3) with { NextAttemptAt = Now }, Now, Settings));
        var replayed = Record(DeliveryStatus.Queued, attempts: 3) with { AttemptBase = 3 };
        Assert.Equal(new ClaimDecision.Claimable(4), ClaimRules.Decide(replayed, Now, Settings));
    }

    [Fact]
    public void Sent_records_the_provider_and_its_message_id()
    {
        var plan = OutcomeRules.Plan(new SendResult.Attempted(ClaimOf(), Request(Now), "twilio", new DeliveryOutcome.Sent("SM1")), Now, Settings, new FixedJitter(0.5));

        Assert.Equal(DeliveryStatus.Sent, plan.Transition.Status);
        Assert.Equal("SM1", plan.Transition.ProviderMessageId);
        Assert.Equal("twilio", Assert.IsType<FollowUp.Sent>(plan.FollowUp).Provider);
        Assert.Equal("W/\"claimed\"", plan.Change.ETag);
    }

    [Fact]
    public void Permanent_and_invalid_recipient_fail_without_retry_and_only_the_latter_deactivates()
    {
        var permanent = OutcomeRules.Plan(new SendResult.Attempted(ClaimOf(), Request(Now), "twilio", new DeliveryOutcome.Permanent("21602", "no body")), Now, Settings, new FixedJitter(0));
        var invalid = OutcomeRules.Plan(new SendResult.Attempted(ClaimOf(), Request(Now), "twilio", new DeliveryOutcome.InvalidRecipient("21211", "bad number")), Now, Settings, new FixedJitter(0));

        Assert.Equal(new FollowUp.Failed("21602", "no body", Alert: false, Deactivate: false), permanent.FollowUp);
        Assert.Equal(new FollowUp.Failed("21211", "bad number", Alert: false, Deactivate: true), invalid.FollowUp);
        Assert.All([permanent, invalid], p => Assert.Equal(DeliveryStatus.Failed, p.Transition.Status));
    }

    [Fact]
    public void Transient_retries_after_the_backoff_or_the_providers_retry_after_whichever_is_longer()
    {
        var backoff = OutcomeRules.Plan(new SendResult.Attempted(ClaimOf(attempt: 2), Request(Now), "sendgrid", new DeliveryOutcome.Transient("http-503", "down")), Now, Settings, new FixedJitter(0.5));
        var told = OutcomeRules.Plan(new SendResult.Attempted(ClaimOf(attempt: 2), Request(Now), "sendgrid", new DeliveryOutcome.Transient("http-429", "slow down", TimeSpan.FromMinutes(2))), Now, Settings, new FixedJitter(0.5));

        Assert.Equal(TimeSpan.FromSeconds(4), Assert.IsType<FollowUp.Retry>(backoff.FollowUp).Delay);
        Assert.Equal(Now.AddSeconds(4), backoff.Transition.NextAttemptAt);
        Assert.Equal(TimeSpan.FromMinutes(2), Assert.IsType<FollowUp.Retry>(told.FollowUp).Delay);
        Assert.Equal(DeliveryStatus.Retrying, told.Transition.Status);
    }

    [Fact]
    public void The_last_attempt_or_a_retry_past_the_time_to_live_fails_with_an_alert()
    {
        var last = OutcomeRules.Plan(new SendResult.Attempted(ClaimOf(attempt: 3), Request(Now), "sendgrid", new DeliveryOutcome.Transient("http-503", "down")), Now, Settings, new FixedJitter(0.5));
        // SMS lives 4 hours by default: a retry due after that is not worth making.
        var old = OutcomeRules.Plan(new SendResult.Attempted(ClaimOf(attempt: 1), Request(Now.AddHours(-4)), "twilio", new DeliveryOutcome.Transient("http-503", "down")), Now, Settings, new FixedJitter(0.5));

        Assert.True(Assert.IsType<FollowUp.Failed>(last.FollowUp).Alert);
        Assert.True(Assert.IsType<FollowUp.Failed>(old.FollowUp).Alert);
    }

    [Fact]
    public void Misconfiguration_is_retried_and_alerted()
    {
        var plan = OutcomeRules.Plan(new SendResult.Attempted(ClaimOf(), Request(Now), "apns", new DeliveryOutcome.Misconfigured("apns-403", "bad key")), Now, Settings, new FixedJitter(0.5));

        Assert.IsType<FollowUp.Retry>(plan.FollowUp);
        Assert.Equal("provider-misconfigured", plan.Alert?.Kind);
        Assert.Equal("apns", plan.Alert?.Provider);
    }

    [Fact]
    public void Whatever_the_outcome_the_write_is_conditional_on_the_claim_and_keeps_the_attempt_number()
    {
        var outcomes = Gen.Int[0, 4].Select(i => new DeliveryOutcome[] {
            new DeliveryOutcome.Sent("id"),
            new DeliveryOutcome.Transient("t", "m"),
            new DeliveryOutcome.Permanent("p", "m"),
            new DeliveryOutcome.InvalidRecipient("i", "m"),
            new DeliveryOutcome.Misconfigured("c", "m") }[i]);
        Gen.Select(outcomes, Gen.Int[1, 5], Gen.Double[0, 0.999]).Sample((outcome, attempt, jitter) =>
        {
            var claim = ClaimOf(attempt);
            var plan = OutcomeRules.Plan(new SendResult.Attempted(claim, Request(Now), "p", outcome), Now, Settings, new FixedJitter(jitter));
            return plan.Change.ETag == claim.ETag && plan.Transition.Attempt == attempt && plan.Transition.At == Now;
        });
    }

    [Fact]
    public void A_delivery_that_cannot_be_rendered_fails_with_an_alert()
    {
        var plan = OutcomeRules.Plan(new SendResult.NotAttempted(ClaimOf(), null, "render-failed", "no sms content"), Now, Settings, new FixedJitter(0));

        Assert.Equal(new FollowUp.Failed("render-failed", "no sms content", Alert: true, Deactivate: false), plan.FollowUp);
    }
}
