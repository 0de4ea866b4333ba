using Notify.Testing.Fakes;

namespace Notify.Core.Tests.Delivery;

/// <summary>
/// When the next attempt goes to the channel's next provider, and when it stays: failover only for an outcome that
/// says the provider did not take the message and is unhealthy or unusable. Pure rules, no storage.
/// </summary>
public sealed class FailoverRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly DeliveryOptions Settings = new() { MaxAttempts = 5, Lease = TimeSpan.FromSeconds(90), RetryBaseDelay = TimeSpan.FromSeconds(4), RetryMaxDelay = TimeSpan.FromMinutes(5) };
    private static readonly string[] SmsOrder = ["twilio", "vonage"];

    private static Claim ClaimOf(int attempt = 1)
    {
        var record = new DeliveryRecord(new DeliveryKey(RequestIds.For("app", "e1"), 1), "app", "e1", "user-1", Channel.Sms, DeliveryStatus.Queued, null, 0, Now.AddMinutes(-1), Now.AddMinutes(-1))
        {
            ETag = "W/\"etag\"",
        };
        return new(DeliveryMessage.For(record, attempt), "W/\"claimed\"");
    }

    private static RequestRecord Request() =>
        new(RequestIds.For("app", "e1"), "app", "e1", "hash", RequestState.Logged, "welcome", "v1", "{}", Priority.Normal, 1, Now.AddMinutes(-1));

    private static OutcomePlan Plan(string provider, DeliveryOutcome outcome, IReadOnlyList<string>? order = null, int attempt = 1) =>
        OutcomeRules.Plan(
            new SendResult.Attempted(ClaimOf(attempt), Request(), provider, outcome) { Order = order ?? SmsOrder },
            Now,
            Settings,
            new FixedJitter(0.5));

    public static TheoryData<DeliveryOutcome> ProviderDidNotTakeIt => new()
    {
        new DeliveryOutcome.Transient("connection-failed", "refused", NotAccepted: true),
        new DeliveryOutcome.Transient("http-500", "server error", NotAccepted: true),
        new DeliveryOutcome.Transient("http-429", "slow down", TimeSpan.FromMinutes(2), NotAccepted: true),
        new DeliveryOutcome.Misconfigured("20003", "Authenticate"),
    };

    public static TheoryData<DeliveryOutcome> NoFailover => new()
    {
        new DeliveryOutcome.Transient("timeout", "no answer: may have been sent"),
        new DeliveryOutcome.Transient("connection-lost", "lost after sending"),
    };

    [Theory]
    [MemberData(nameof(ProviderDidNotTakeIt))]
    public void Provider_that_did_not_take_the_message_sends_the_next_attempt_to_the_next_provider_at_once(DeliveryOutcome outcome)
    {
        var plan = Plan("twilio", outcome);

        var retry = Assert.IsType<FollowUp.Retry>(plan.FollowUp);
        Assert.Equal("vonage", retry.Provider);
        Assert.Equal(TimeSpan.Zero, retry.Delay);
        Assert.Equal(DeliveryStatus.Retrying, plan.Transition.Status);
        Assert.Equal("twilio", plan.Transition.Provider);
        Assert.Equal("vonage", plan.Transition.NextProvider);
        Assert.Equal(Now, plan.Transition.NextAttemptAt);
    }

    [Theory]
    [MemberData(nameof(NoFailover))]
    public void Unknown_outcome_retries_on_the_same_provider_with_the_backoff(DeliveryOutcome outcome)
    {
        var plan = Plan("twilio", outcome);

        var retry = Assert.IsType<FollowUp.Retry>(plan.FollowUp);
        Assert.Equal("twilio", retry.Provider);
        Assert.True(retry.Delay > TimeSpan.Zero);
        Assert.Equal("twilio", plan.Transition.NextProvider);
    }

    [Fact]
    public void Invalid_recipient_and_permanent_refusal_fail_and_never_fail_over()
    {
        var invalid = Plan("twilio", new DeliveryOutcome.InvalidRecipient("21610", "replied STOP"));
        var permanent = Plan("twilio", new DeliveryOutcome.Permanent("21617", "too long"));

        Assert.True(Assert.IsType<FollowUp.Failed>(invalid.FollowUp).Deactivate);
        Assert.IsType<FollowUp.Failed>(permanent.FollowUp);
        Assert.Null(invalid.Transition.NextProvider);
        Assert.Null(permanent.Transition.NextProvider);
        Assert.Equal("twilio", invalid.Transition.Provider);
    }

    [Fact]
    public void An_opt_out_fails_deactivates_and_turns_the_preference_off_without_failing_over()
    {
        var plan = Plan("twilio", new DeliveryOutcome.InvalidRecipient("21610", "replied STOP", OptedOut: true));

        var failed = Assert.IsType<FollowUp.Failed>(plan.FollowUp);
        Assert.True(failed.OptOut);
        Assert.True(failed.Deactivate);
        Assert.False(Assert.IsType<FollowUp.Failed>(Plan("twilio", new DeliveryOutcome.InvalidRecipient("21211", "invalid")).FollowUp).OptOut);
    }

    [Fact]
    public void After_the_last_provider_the_next_attempt_returns_to_the_first_with_the_backoff()
    {
        var plan = Plan("vonage", new DeliveryOutcome.Transient("http-503", "down", NotAccepted: true), attempt: 2);

        var retry = Assert.IsType<FollowUp.Retry>(plan.FollowUp);
        Assert.Equal("twilio", retry.Provider);
        Assert.True(retry.Delay > TimeSpan.Zero);
    }

    [Fact]
    public void A_channel_with_one_provider_retries_on_it_with_the_backoff()
    {
        var plan = Plan("twilio", new DeliveryOutcome.Transient("http-500", "down", NotAccepted: true), order: ["twilio"]);

        var retry = Assert.IsType<FollowUp.Retry>(plan.FollowUp);
        Assert.Equal("twilio", retry.Provider);
        Assert.True(retry.Delay > TimeSpan.Zero);
    }

    [Fact]
    public void Failover_spends_an_attempt_so_the_last_attempt_fails_instead_of_failing_over()
    {
        var plan = Plan("twilio", new DeliveryOutcome.Transient("http-500", "down", NotAccepted: true), attempt: Settings.MaxAttempts);

        Assert.IsType<FollowUp.Failed>(plan.FollowUp);
        Assert.Equal("twilio", plan.Transition.Provider);
    }

    [Fact]
    public void Sent_records_the_provider_for_its_attempt()
    {
        var plan = Plan("vonage", new DeliveryOutcome.Sent("0A1B"), attempt: 2);

        Assert.Equal("vonage", plan.Transition.Provider);
        Assert.Equal("vonage", plan.Transition.Detail);
    }

    [Fact]
    public void A_retry_message_carries_its_provider_and_a_record_read_back_keeps_it()
    {
        var record = new DeliveryRecord(new DeliveryKey(RequestIds.For("app", "e1"), 1), "app", "e1", "user-1", Channel.Sms, DeliveryStatus.Retrying, null, 1, Now, Now)
        {
            ETag = "W/\"e\"",
            NextProvider = "vonage",
        };

        Assert.Equal("vonage", DeliveryMessage.For(record, 2).Provider);
    }
}
