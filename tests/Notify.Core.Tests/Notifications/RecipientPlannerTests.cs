using Notify.Core.Notifications;
using Notify.Core.Users;

namespace Notify.Core.Tests.Notifications;

/// <summary>Who gets what, decided without storage: preferences, contacts, rate-limit grants, one delivery per device.</summary>
public sealed class RecipientPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly NotifyOptions Settings = new() { DefaultOptIn = new ChannelSwitches { Push = true, Email = true, Sms = false } };
    private static readonly Channel[] All = [Channel.Push, Channel.Email, Channel.Sms];

    private static UserRecord User(string? email = "a@example.com", string? phone = "+821012345678", ChannelPreferences? preferences = null, params Device[] devices) =>
        new(new UserProfile("u1", email, phone, "ko", null, Now), devices, preferences ?? ChannelPreferences.None);

    private static Device Device(string token, int minutesAgo) => new(Notify.Core.Users.Device.IdFor(token), token, DevicePlatform.Fcm, Now.AddMinutes(-minutesAgo));

    private static RequestRecord Header() =>
        new(RequestIds.For("app", "e1"), "app", "e1", "hash", RequestState.Planning, "welcome", "v1", "{}", Priority.Normal, 0, Now);

    [Fact]
    public void An_unknown_user_is_skipped_on_every_channel()
    {
        var check = RecipientPlanner.Check(null, All, Settings);

        Assert.All(check.Values, c => Assert.Equal((DeliveryStatus.Skipped, SkipReasons.UnknownUser), c));
    }

    [Fact]
    public void The_users_own_preference_wins_over_the_default_and_a_missing_or_dead_address_is_no_contact()
    {
        var optedIntoSms = User(preferences: new ChannelPreferences(Push: false, Email: null, Sms: true));
        var noAddress = User(email: null) with { Profile = new UserProfile("u1", "a@example.com", null, null, null, Now, EmailInvalid: true) };

        var first = RecipientPlanner.Check(optedIntoSms, All, Settings);
        var second = RecipientPlanner.Check(noAddress, [Channel.Email, Channel.Push], Settings);

        Assert.Equal((DeliveryStatus.Skipped, SkipReasons.OptedOut), first[Channel.Push]);
        Assert.Equal((DeliveryStatus.Queued, null), first[Channel.Sms]);
        Assert.Equal((DeliveryStatus.Queued, null), first[Channel.Email]);
        Assert.Equal((DeliveryStatus.Skipped, SkipReasons.NoContact), second[Channel.Email]);
        Assert.Equal((DeliveryStatus.Skipped, SkipReasons.NoContact), second[Channel.Push]);
    }

    [Fact]
    public void Only_granted_channels_stay_queued_and_skips_keep_their_own_reason()
    {
        var check = RecipientPlanner.Check(User(preferences: new ChannelPreferences(null, false, true)), All, Settings);
        check[Channel.Push] = (DeliveryStatus.Queued, null);

        RecipientPlanner.ApplyRateLimit(check, new HashSet<Channel> { Channel.Sms });

        Assert.Equal((DeliveryStatus.Skipped, SkipReasons.RateLimited), check[Channel.Push]);
        Assert.Equal((DeliveryStatus.Skipped, SkipReasons.OptedOut), check[Channel.Email]);
        Assert.Equal((DeliveryStatus.Queued, null), check[Channel.Sms]);
    }

    [Fact]
    public void Nothing_granted_means_every_queued_channel_is_rate_limited()
    {
        var check = RecipientPlanner.Check(User(), [Channel.Email], Settings);

        RecipientPlanner.ApplyRateLimit(check, null);

        Assert.Equal((DeliveryStatus.Skipped, SkipReasons.RateLimited), check[Channel.Email]);
    }

    [Fact]
    public void Push_expands_to_one_delivery_per_device_oldest_first_and_other_channels_carry_their_address()
    {
        var user = User(devices: [Device("newer-token-1234", 1), Device("older-token-1234", 60)]);
        var check = RecipientPlanner.Check(user, [Channel.Email, Channel.Push, Channel.Sms], new NotifyOptions());

        var deliveries = RecipientPlanner.Expand(Header(), "u1", user, [Channel.Email, Channel.Push, Channel.Sms], check, Now).ToList();

        Assert.Equal([Channel.Email, Channel.Push, Channel.Push, Channel.Sms], deliveries.Select(d => d.Channel));
        Assert.Equal(["a@example.com", "older-token-1234", "newer-token-1234", "+821012345678"], deliveries.Select(d => d.Address));
        Assert.All(deliveries, d => Assert.Equal(("ko", DeliveryStatus.Queued, "app", "e1"), (d.Locale, d.Status, d.AppKey, d.EventId)));
        Assert.Equal(DevicePlatform.Fcm, deliveries[1].Platform);
    }

    [Fact]
    public void A_skipped_channel_is_one_delivery_with_its_reason_and_no_address()
    {
        var user = User(devices: [Device("token-abcdefgh", 1)]);
        var check = RecipientPlanner.Check(user, [Channel.Push], Settings);
        check[Channel.Push] = (DeliveryStatus.Skipped, SkipReasons.RateLimited);

        var delivery = Assert.Single(RecipientPlanner.Expand(Header(), "u1", user, [Channel.Push], check, Now));

        Assert.Equal((DeliveryStatus.Skipped, SkipReasons.RateLimited, null), (delivery.Status, delivery.Reason, delivery.Address));
    }
}
