using Notify.Core.Categories;
using Notify.Core.Notifications;
using Notify.Core.Users;

namespace Notify.Core.Tests.Categories;

/// <summary>
/// The resolution order, over every combination of its inputs (2 x 3 x 2 x 2 x 3 x 3 x 3 = 648 rows): each row's
/// expectation is the first rule of the documented table (docs/preferences.md) that has something to say.
/// </summary>
public sealed class PreferenceResolverTests
{
    private static readonly bool?[] Tri = [null, false, true];

    public static TheoryData<bool, bool?, bool, bool, bool?, bool?, bool?> AllCombinations()
    {
        var data = new TheoryData<bool, bool?, bool, bool, bool?, bool?, bool?>();
        foreach (var contact in new[] { false, true })
        foreach (var channel in Tri)
        foreach (var serviceDefault in new[] { false, true })
        foreach (var required in new[] { false, true })
        foreach (var categoryDefault in Tri)
        foreach (var userCategory in Tri)
        foreach (var userCategoryChannel in Tri)
        {
            data.Add(contact, channel, serviceDefault, required, categoryDefault, userCategory, userCategoryChannel);
        }
        return data;
    }

    /// <summary>The table, read top to bottom: the first row whose condition holds decides.</summary>
    private static (bool Send, PreferenceRule Rule) Table(PreferenceInputs i)
    {
        var rows = new (bool When, bool Send, PreferenceRule Rule)[]
        {
            (i.ChannelSwitch == false, false, PreferenceRule.ChannelOff),
            (!i.ContactValid, false, PreferenceRule.NoContact),
            (i.UserCategoryChannel == true || (i.UserCategoryChannel == false && !i.Required), i.UserCategoryChannel == true, PreferenceRule.UserCategoryChannel),
            (i.UserCategory == true || (i.UserCategory == false && !i.Required), i.UserCategory == true, PreferenceRule.UserCategory),
            (i.CategoryDefault is not null, i.CategoryDefault == true, PreferenceRule.CategoryDefault),
            (true, i.ChannelSwitch ?? i.ServiceDefault, PreferenceRule.ServiceDefault),
        };
        var row = rows.First(r => r.When);
        return (row.Send, row.Rule);
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void Every_combination_resolves_as_the_documented_table_says(bool contact, bool? channel, bool serviceDefault, bool required, bool? categoryDefault, bool? userCategory, bool? userCategoryChannel)
    {
        var inputs = new PreferenceInputs(contact, channel, serviceDefault, required, categoryDefault, userCategory, userCategoryChannel);

        var decision = PreferenceResolver.Resolve(inputs);

        Assert.Equal(Table(inputs), (decision.Send, decision.Rule));
        // Invariants the table implies, stated on their own.
        if (!contact || channel == false)
        {
            Assert.False(decision.Send);
        }
        if (required)
        {
            // A required category is never turned off by the user's own choice.
            Assert.False(decision.Rule is PreferenceRule.UserCategory or PreferenceRule.UserCategoryChannel && !decision.Send);
        }
    }

    [Fact]
    public void A_skip_decided_by_the_category_names_it_and_a_channel_switch_does_not()
    {
        var marketing = new CategoryDefinition("marketing", new Dictionary<string, string> { ["en"] = "Marketing" }, new Dictionary<string, string>(), false, null, new ChannelPreferences(null, null, false));
        var header = new RequestRecord(RequestIds.For("app", "e1"), "app", "e1", "hash", RequestState.Planning, "t", "v1", "{}", Priority.Normal, 0, DateTimeOffset.UnixEpoch);
        var user = new UserRecord(
            new UserProfile("u1", "a@example.com", "+821012345678", "en", null, DateTimeOffset.UnixEpoch),
            [new Device("d1", "token-1234", DevicePlatform.Fcm, DateTimeOffset.UnixEpoch)],
            new ChannelPreferences(Push: false, Email: null, Sms: null)
            {
                Categories = new Dictionary<string, CategoryChoice> { ["marketing"] = new(false, null, null, null) },
            });
        var settings = new NotifyOptions();
        Channel[] channels = [Channel.Email, Channel.Sms, Channel.Push];

        var check = RecipientPlanner.Check(user, channels, settings, marketing);
        var deliveries = RecipientPlanner.Expand(header, "u1", user, channels, check, DateTimeOffset.UnixEpoch, null, marketing, settings).ToList();

        Assert.All(deliveries, d => Assert.Equal((DeliveryStatus.Skipped, SkipReasons.OptedOut), (d.Status, d.Reason)));
        Assert.Equal("marketing", deliveries.Single(d => d.Channel == Channel.Email).Category);
        Assert.Equal("marketing", deliveries.Single(d => d.Channel == Channel.Sms).Category);
        Assert.Null(deliveries.Single(d => d.Channel == Channel.Push).Category);
    }
}
