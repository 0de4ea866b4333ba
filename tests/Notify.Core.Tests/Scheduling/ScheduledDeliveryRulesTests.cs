using Notify.Core.Scheduling;
using Notify.Core.Sweeping;
using Notify.Core.Users;
using Notify.Testing.Fakes;

namespace Notify.Core.Tests.Scheduling;

/// <summary>How the worker and the sweeper treat a scheduled delivery, without storage.</summary>
public sealed class ScheduledDeliveryRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly DeliveryOptions Settings = new() { MaxAttempts = 3, Lease = TimeSpan.FromSeconds(90), RetryBaseDelay = TimeSpan.FromSeconds(4), RetryMaxDelay = TimeSpan.FromMinutes(5) };

    private static DeliveryRecord Scheduled(DateTimeOffset notBefore, Channel channel = Channel.Email, string? address = "ann@example.com") =>
        new(new DeliveryKey(RequestIds.For("app", "e1"), 1), "app", "e1", "user-1", channel, DeliveryStatus.Scheduled, null, 0, Now.AddDays(-3), Now.AddDays(-3))
        {
            NotBefore = notBefore,
            Address = address,
            ETag = "W/\"etag\"",
        };

    private static RequestRecord Request(DateTimeOffset createdAt) =>
        new(RequestIds.For("app", "e1"), "app", "e1", "hash", RequestState.Logged, "welcome", "v1", "{}", Priority.Normal, 1, createdAt);

    private static UserRecord User(string? email = "ann@example.com", bool? emailOptIn = null, params Device[] devices) =>
        new(new UserProfile("user-1", email, "+821012345678", "en", null, Now), devices, new ChannelPreferences(null, emailOptIn, null));

    [Fact]
    public void A_scheduled_delivery_not_yet_due_comes_back_when_due_without_spending_an_attempt()
    {
        var decision = Assert.IsType<ClaimDecision.NotDue>(ClaimRules.Decide(Scheduled(Now.AddMinutes(5)), Now, Settings));

        Assert.Equal(TimeSpan.FromMinutes(5), decision.RetryIn);
    }

    [Fact]
    public void A_scheduled_delivery_further_than_the_queue_can_hide_a_message_comes_back_after_the_longest_delay()
    {
        var decision = Assert.IsType<ClaimDecision.NotDue>(ClaimRules.Decide(Scheduled(Now.AddDays(30)), Now, Settings));

        Assert.Equal(ScheduleRules.MaxQueueDelay, decision.RetryIn);
        Assert.True(ScheduleRules.MaxQueueDelay < TimeSpan.FromDays(7));
    }

    [Fact]
    public void A_due_scheduled_delivery_is_claimed_as_its_first_attempt_like_a_queued_one()
    {
        Assert.Equal(new ClaimDecision.Claimable(1), ClaimRules.Decide(Scheduled(Now), Now, Settings));
        Assert.Equal(new ClaimDecision.Claimable(1), ClaimRules.Decide(Scheduled(Now.AddMilliseconds(500)), Now, Settings));
    }

    [Fact]
    public void A_message_is_early_only_while_its_due_time_is_ahead()
    {
        Assert.Equal(TimeSpan.FromHours(1), ScheduleRules.WaitFor(Now.AddHours(1), Now));
        Assert.Null(ScheduleRules.WaitFor(Now, Now));
        Assert.Null(ScheduleRules.WaitFor(Now.AddDays(-1), Now));
        Assert.Null(ScheduleRules.WaitFor(null, Now));
    }

    [Fact]
    public void The_time_to_live_counts_from_the_due_time_not_from_the_request()
    {
        var message = DeliveryMessage.For(Scheduled(Now.AddMinutes(-1)), 1);

        Assert.Equal(Now.AddMinutes(-1), ScheduleRules.LiveSince(message, Request(Now.AddDays(-20))));
        Assert.Equal(Now.AddDays(-20), ScheduleRules.LiveSince(message with { NotBefore = null }, Request(Now.AddDays(-20))));
        Assert.Equal(Now, ScheduleRules.LiveSince(message with { ReplayedAt = Now }, Request(Now.AddDays(-20))));
    }

    [Fact]
    public void A_transient_failure_of_a_delivery_scheduled_long_after_its_request_is_retried_not_expired()
    {
        var claim = new Claim(DeliveryMessage.For(Scheduled(Now.AddMinutes(-1), Channel.Sms, "+821012345678"), 1), "W/\"claimed\"");
        var attempted = new SendResult.Attempted(claim, Request(Now.AddDays(-20)), "twilio", new DeliveryOutcome.Transient("http-503", "busy", null));

        var plan = OutcomeRules.Plan(attempted, Now, Settings, new FixedJitter(0.5));

        Assert.Equal(DeliveryStatus.Retrying, plan.Transition.Status);
        var old = OutcomeRules.Plan(attempted with { Claim = claim with { Delivery = claim.Delivery with { NotBefore = null } } }, Now, Settings, new FixedJitter(0.5));
        Assert.Equal(DeliveryStatus.Failed, old.Transition.Status);
    }

    [Fact]
    public void Only_the_first_claim_since_it_became_due_checks_again()
    {
        var first = DeliveryMessage.For(Scheduled(Now), 1);

        Assert.True(ScheduleRules.NeedsDueCheck(first));
        Assert.False(ScheduleRules.NeedsDueCheck(first with { Attempt = 2 }));
        Assert.False(ScheduleRules.NeedsDueCheck(first with { NotBefore = null }));
        Assert.False(ScheduleRules.NeedsDueCheck(first with { ReplayedAt = Now }));
    }

    [Fact]
    public void When_due_a_user_who_opted_out_or_was_deleted_meanwhile_is_skipped_with_the_ingest_reason()
    {
        var message = DeliveryMessage.For(Scheduled(Now), 1);
        var settings = new NotifyOptions();

        Assert.Equal(SkipReasons.OptedOut, ScheduleRules.Recheck(message, User(emailOptIn: false), settings).Reason);
        Assert.Equal(SkipReasons.UnknownUser, ScheduleRules.Recheck(message, null, settings).Reason);
        Assert.Equal(SkipReasons.NoContact, ScheduleRules.Recheck(message, User(email: null), settings).Reason);
        Assert.Null(ScheduleRules.Recheck(message, User(), settings).Reason);
    }

    [Fact]
    public void When_due_a_category_choice_made_while_it_waited_stops_it_unless_the_category_is_required()
    {
        var message = DeliveryMessage.For(Scheduled(Now), 1);
        var settings = new NotifyOptions();
        var marketing = new Notify.Core.Categories.CategoryDefinition("marketing", new Dictionary<string, string> { ["en"] = "Marketing" }, new Dictionary<string, string>(), false, null, ChannelPreferences.None);
        var security = marketing with { Key = "security", Required = true, RequiredReason = "Account safety" };
        var offForEmail = User() with
        {
            Preferences = ChannelPreferences.None with
            {
                Categories = new Dictionary<string, CategoryChoice>
                {
                    ["marketing"] = new(null, null, false, null),
                    ["security"] = new(false, null, null, null),
                },
            },
        };
        var offWhole = User() with { Preferences = ChannelPreferences.None with { Categories = new Dictionary<string, CategoryChoice> { ["marketing"] = new(false, null, null, null) } } };
        var offByDefault = marketing with { Defaults = new ChannelPreferences(null, false, null) };

        Assert.Equal(SkipReasons.OptedOut, ScheduleRules.Recheck(message, offForEmail, settings, marketing).Reason);
        Assert.Equal(SkipReasons.OptedOut, ScheduleRules.Recheck(message, offWhole, settings, marketing).Reason);
        Assert.Equal(SkipReasons.OptedOut, ScheduleRules.Recheck(message, User(), settings, offByDefault).Reason);
        Assert.Null(ScheduleRules.Recheck(message, offForEmail, settings, security).Reason);
        Assert.Null(ScheduleRules.Recheck(message, User(), settings, marketing).Reason);
        // The skip names the category that decided it, as ingest's skips do; a channel switched off names none.
        Assert.Equal("marketing", ScheduleRules.Recheck(message, offForEmail, settings, marketing).Category);
        Assert.Equal("marketing", ScheduleRules.Recheck(message, offWhole, settings, marketing).Category);
        Assert.Equal("marketing", ScheduleRules.Recheck(message, User(), settings, offByDefault).Category);
        Assert.Null(ScheduleRules.Recheck(message, User(emailOptIn: false), settings, marketing).Category);
        Assert.Null(ScheduleRules.Recheck(message, User(), settings, marketing).Category);
        // Without the category (a request gone meanwhile) only the channel switches decide, as before.
        Assert.Null(ScheduleRules.Recheck(message, offForEmail, settings).Reason);
        Assert.Equal(SkipReasons.OptedOut, ScheduleRules.Recheck(message, User(emailOptIn: false), settings, security).Reason);
    }

    [Fact]
    public void When_due_the_address_is_the_users_current_one_and_a_removed_device_has_no_contact()
    {
        var settings = new NotifyOptions();
        var email = ScheduleRules.Recheck(DeliveryMessage.For(Scheduled(Now), 1), User(email: "new@example.com"), settings);
        var device = new Device(Device.IdFor("token-aaaaaaaa"), "token-aaaaaaaa", DevicePlatform.Fcm, Now);
        var push = DeliveryMessage.For(Scheduled(Now, Channel.Push, "token-aaaaaaaa"), 1);

        Assert.Equal("new@example.com", email.Delivery.Address);
        Assert.Null(ScheduleRules.Recheck(push, User(devices: device), settings).Reason);
        Assert.Equal(SkipReasons.NoContact, ScheduleRules.Recheck(push, User(devices: device with { Token = "token-bbbbbbbb" }), settings).Reason);
    }

    [Fact]
    public void A_skip_when_due_writes_skipped_with_its_reason()
    {
        var claim = new Claim(DeliveryMessage.For(Scheduled(Now), 1), "W/\"claimed\"");

        var plan = OutcomeRules.Plan(new SendResult.Skipped(claim, SkipReasons.OptedOut), Now, Settings, new FixedJitter(0.5));

        Assert.Equal(DeliveryStatus.Skipped, plan.Transition.Status);
        Assert.Equal(SkipReasons.OptedOut, plan.Transition.Reason);
        Assert.Null(plan.Transition.Category);
        Assert.IsType<FollowUp.Skipped>(plan.FollowUp);
    }

    [Fact]
    public async Task A_skip_when_due_that_a_category_decided_writes_the_category_on_the_delivery()
    {
        var log = new InMemoryDeliveryLog();
        var record = log.Put(Scheduled(Now));
        var claim = new Claim(DeliveryMessage.For(record, 1), record.ETag!);

        var plan = OutcomeRules.Plan(new SendResult.Skipped(claim, SkipReasons.OptedOut) { Category = "marketing" }, Now, Settings, new FixedJitter(0.5));
        Assert.NotNull(await log.TryTransitionAsync(record.Key, record.ETag!, plan.Transition, CancellationToken.None));

        var stored = Assert.IsType<DeliveryRecord>(await log.GetAsync(record.Key, CancellationToken.None));
        Assert.Equal(DeliveryStatus.Skipped, stored.Status);
        Assert.Equal(SkipReasons.OptedOut, stored.Reason);
        Assert.Equal("marketing", stored.Category);
    }

    [Fact]
    public void The_sweeper_leaves_a_scheduled_delivery_alone_until_it_is_due_and_its_message_is_late()
    {
        var sweeper = new SweeperOptions();

        Assert.False(Sweeper.IsStuck(Scheduled(Now.AddDays(10)), Now, sweeper));
        Assert.False(Sweeper.IsStuck(Scheduled(Now), Now, sweeper));
        Assert.True(Sweeper.IsStuck(Scheduled(Now - sweeper.QueuedGrace), Now, sweeper));
    }
}
