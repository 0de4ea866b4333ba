using System.Net;
using Notify.Core.Webhooks;

namespace Notify.Core.Tests.Webhooks;

public sealed class AddressRulesTests
{
    private static readonly AddressRules Deployed = new([]);

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.255.255.255")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("168.63.129.16")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fc00::1")]
    [InlineData("fdff:ffff::1")]
    [InlineData("fe80::1")]
    [InlineData("febf::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:100.64.0.1")]
    [InlineData("::ffff:168.63.129.16")]
    [InlineData("::ffff:192.168.1.1")]
    [InlineData("::ffff:172.16.5.5")]
    [InlineData("::10.0.0.1")]
    [InlineData("::127.0.0.1")]
    public void Every_listed_range_and_its_mapped_forms_are_refused(string address)
    {
        Assert.True(Deployed.IsRefused(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("168.63.129.17")]
    [InlineData("11.0.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("fec0::1")]
    public void Public_addresses_are_allowed(string address)
    {
        Assert.False(Deployed.IsRefused(IPAddress.Parse(address)));
    }

    [Fact]
    public void A_setting_exempts_exactly_the_networks_it_lists()
    {
        var local = new AddressRules(["127.0.0.1", "10.1.0.0/16"]);

        Assert.False(local.IsRefused(IPAddress.Parse("127.0.0.1")));
        Assert.False(local.IsRefused(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(local.IsRefused(IPAddress.Parse("10.1.200.3")));
        Assert.True(local.IsRefused(IPAddress.Parse("127.0.0.2")));
        Assert.True(local.IsRefused(IPAddress.Parse("10.2.0.1")));
        Assert.True(local.IsRefused(IPAddress.Parse("::1")));
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_resolves_to_refused_addresses_only()
    {
        var addresses = await AddressRules.ResolveAsync("localhost", TestContext.Current.CancellationToken);

        Assert.NotEmpty(addresses);
        Assert.All(addresses, a => Assert.True(Deployed.IsRefused(a), a.ToString()));
    }
}
