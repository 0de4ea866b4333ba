using System.Net;

namespace Notify.Core.Tests.Apps;

public sealed class ClientAddressesTests
{
    private static readonly IReadOnlyList<IPNetwork> Loopback = ClientAddresses.Networks(["127.0.0.1", "::1"]);

    [Fact]
    public void Without_trusted_proxies_the_header_is_ignored()
    {
        Assert.Equal("203.0.113.9", ClientAddresses.Resolve(IPAddress.Parse("203.0.113.9"), "198.51.100.1", []));
    }

    [Fact]
    public void From_an_untrusted_connection_the_header_is_ignored()
    {
        Assert.Equal("203.0.113.9", ClientAddresses.Resolve(IPAddress.Parse("203.0.113.9"), "198.51.100.1", Loopback));
    }

    [Fact]
    public void From_a_trusted_proxy_the_rightmost_untrusted_entry_is_the_caller()
    {
        var proxies = ClientAddresses.Networks(["127.0.0.1", "10.0.0.0/8"]);

        Assert.Equal("198.51.100.1", ClientAddresses.Resolve(IPAddress.Loopback, "1.2.3.4, 198.51.100.1:4567, 10.1.2.3", proxies));
    }

    [Fact]
    public void An_entry_no_proxy_would_write_stops_at_the_last_vouched_address()
    {
        Assert.Equal("10.1.2.3", ClientAddresses.Resolve(IPAddress.Loopback, "not-an-address, 10.1.2.3", ClientAddresses.Networks(["127.0.0.1", "10.0.0.0/8"])));
    }

    [Fact]
    public void An_ipv4_mapped_connection_matches_an_ipv4_proxy()
    {
        Assert.Equal("198.51.100.1", ClientAddresses.Resolve(IPAddress.Loopback.MapToIPv6(), "198.51.100.1", Loopback));
    }

    [Fact]
    public void A_connection_without_an_address_is_unknown()
    {
        Assert.Equal("unknown", ClientAddresses.Resolve(null, "198.51.100.1", Loopback));
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("::1", true)]
    [InlineData("192.0.2.1", true)]
    [InlineData("front-door", false)]
    [InlineData("10.0.0.0/99", false)]
    [InlineData("127.0.0.1:80", true)]
    [InlineData("[::1]:8080", true)]
    [InlineData("127.0.0.1:port", false)]
    [InlineData("127.0.0.1:", false)]
    public void A_setting_is_an_address_or_a_network(string value, bool valid)
    {
        Assert.Equal(valid, ClientAddresses.TryNetwork(value, out _));
    }

    [Theory]
    [InlineData("127.0.0.1:80", "127.0.0.1", 32)]
    [InlineData(" 127.0.0.1:7071 ", "127.0.0.1", 32)]
    [InlineData("[::1]:80", "::1", 128)]
    [InlineData("::1:80", "::1:80", 128)]   // without brackets an IPv6 address keeps its last group
    public void A_proxy_written_with_a_port_is_trusted_by_its_address_alone(string value, string address, int prefixLength)
    {
        Assert.True(ClientAddresses.TryNetwork(value, out var network));
        Assert.Equal(IPAddress.Parse(address), network.BaseAddress);
        Assert.Equal(prefixLength, network.PrefixLength);
    }

    [Fact]
    public void Loopback_proxies_written_as_endpoints_let_the_forwarded_caller_through()
    {
        // What the Functions host looks like from the worker in Azure: a loopback connection naming the caller.
        var proxies = ClientAddresses.Networks(["127.0.0.1:80", "[::1]:80"]);

        Assert.Equal("198.51.100.1", ClientAddresses.Resolve(IPAddress.Loopback, "198.51.100.1:52011", proxies));
        Assert.Equal("198.51.100.2", ClientAddresses.Resolve(IPAddress.IPv6Loopback, "198.51.100.2", proxies));
        Assert.Equal("203.0.113.9", ClientAddresses.Resolve(IPAddress.Parse("203.0.113.9"), "198.51.100.1", proxies));
    }

    [Fact]
    public void Security_options_accept_an_endpoint_and_name_a_bad_entry()
    {
        var options = new SecurityOptions { TrustedProxies = ["127.0.0.1:80", "[::1]:80", "10.0.0.0/8", "proxy:80"] };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        var valid = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);

        Assert.False(valid);
        var error = Assert.Single(results).ErrorMessage!;
        Assert.Contains("'proxy:80'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1:80", error, StringComparison.Ordinal);
    }
}
