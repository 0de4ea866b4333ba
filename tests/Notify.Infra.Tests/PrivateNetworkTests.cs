namespace Notify.Infra.Tests;

/// <summary>
/// The private network option (vnetEnabled), as infra/main.private.bicepparam deploys it, against the public
/// default the other examples keep.
/// </summary>
public sealed class PrivateNetworkTests(InfraFixture infra)
{
    private static readonly string[] StorageGroups = ["blob", "queue", "table"];

    public static TheoryData<string> PublicSets => ["dev", "prod", "full"];

    [Theory]
    [MemberData(nameof(PublicSets))]
    public void Without_vnet_enabled_nothing_network_is_deployed_and_the_data_plane_stays_public(string set)
    {
        var snapshot = Get(set);

        Assert.DoesNotContain(snapshot.Resources, r => ((string)r["type"]!).StartsWith("Microsoft.Network/", StringComparison.Ordinal));
        Assert.Null(snapshot.Single("Microsoft.Web/sites")["properties"]!["virtualNetworkSubnetId"]);
        Assert.Equal("Enabled", (string?)snapshot.Single("Microsoft.Storage/storageAccounts")["properties"]!["publicNetworkAccess"]);
        Assert.Equal("Enabled", (string?)snapshot.Single("Microsoft.KeyVault/vaults")["properties"]!["publicNetworkAccess"]);
    }

    [Fact]
    public void With_vnet_enabled_storage_and_key_vault_refuse_public_requests()
    {
        foreach (var type in new[] { "Microsoft.Storage/storageAccounts", "Microsoft.KeyVault/vaults" })
        {
            var properties = infra.Private.Single(type)["properties"]!;

            Assert.Equal("Disabled", (string?)properties["publicNetworkAccess"]);
            Assert.Equal("Deny", (string?)properties["networkAcls"]!["defaultAction"]);
        }
    }

    [Fact]
    public void With_vnet_enabled_every_data_plane_service_has_a_private_endpoint_registered_in_its_linked_zone()
    {
        var storageId = (string)infra.Private.Single("Microsoft.Storage/storageAccounts")["id"]!;
        var vaultId = (string)infra.Private.Single("Microsoft.KeyVault/vaults")["id"]!;
        var vnet = infra.Private.Single("Microsoft.Network/virtualNetworks");
        var expected = StorageGroups.Select(g => (Group: g, Target: storageId)).Append((Group: "vault", Target: vaultId));

        foreach (var (group, target) in expected)
        {
            var endpoint = Assert.Single(infra.Private.OfType("Microsoft.Network/privateEndpoints"), e =>
                (string?)e["properties"]!["privateLinkServiceConnections"]![0]!["properties"]!["groupIds"]![0] == group);
            var connection = endpoint["properties"]!["privateLinkServiceConnections"]![0]!["properties"]!;
            Assert.Equal(target, (string?)connection["privateLinkServiceId"]);
            Assert.Equal(SubnetId(vnet, "private-endpoints"), (string?)endpoint["properties"]!["subnet"]!["id"]);

            // The zone group puts the endpoint's address in the zone the service's host name resolves through.
            var zoneGroup = Assert.Single(infra.Private.OfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups"), z =>
                ((string)z["name"]!).StartsWith((string)endpoint["name"]! + "/", StringComparison.Ordinal));
            var zoneId = (string)zoneGroup["properties"]!["privateDnsZoneConfigs"]![0]!["properties"]!["privateDnsZoneId"]!;
            var zone = Assert.Single(infra.Private.OfType("Microsoft.Network/privateDnsZones"), z => zoneId.Contains(ZoneNameExpression((string)z["name"]!), StringComparison.Ordinal));
            Assert.Contains(group == "vault" ? "privatelink.vaultcore.azure.net" : $"privatelink.{group}.", (string)zone["name"]!, StringComparison.Ordinal);
            Assert.Equal("global", (string?)zone["location"]);

            var link = Assert.Single(infra.Private.OfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks"), l =>
                ((string)l["name"]!).Contains(ZoneNameExpression((string)zone["name"]!), StringComparison.Ordinal));
            Assert.Equal((string?)vnet["id"], (string?)link["properties"]!["virtualNetwork"]!["id"]);
            Assert.False((bool)link["properties"]!["registrationEnabled"]!);
        }
        Assert.Equal(4, infra.Private.OfType("Microsoft.Network/privateEndpoints").Count);
    }

    [Fact]
    public void With_vnet_enabled_the_app_integrates_with_a_subnet_delegated_as_flex_consumption_requires()
    {
        var vnet = infra.Private.Single("Microsoft.Network/virtualNetworks");
        var appSubnet = Subnet(vnet, "app");

        Assert.Equal(
            ["Microsoft.App/environments"],
            appSubnet["properties"]!["delegations"]!.AsArray().Select(d => (string)d!["properties"]!["serviceName"]!));
        Assert.Equal(SubnetId(vnet, "app"), (string?)infra.Private.Single("Microsoft.Web/sites")["properties"]!["virtualNetworkSubnetId"]);
        // Private endpoints cannot live in a delegated subnet: they have their own.
        Assert.Empty(Subnet(vnet, "private-endpoints")["properties"]!["delegations"]?.AsArray() ?? []);
    }

    [Fact]
    public void With_vnet_enabled_the_deployment_container_stays_reachable_through_the_blob_private_endpoint()
    {
        var storage = infra.Private.Single("Microsoft.Storage/storageAccounts");
        var deployment = infra.Private.Single("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;

        // The package URL is the account's own blob endpoint (its public host name), which the blob zone linked to
        // the app's network resolves to the blob private endpoint; the identity, not a key, authenticates.
        Assert.Contains($"reference('{storage["id"]}'", (string)deployment["value"]!, StringComparison.Ordinal);
        Assert.Contains(".primaryEndpoints.blob", (string)deployment["value"]!, StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", (string?)deployment["authentication"]!["type"]);
        Assert.Single(infra.Private.OfType("Microsoft.Network/privateEndpoints"), e =>
            (string?)e["properties"]!["privateLinkServiceConnections"]![0]!["properties"]!["groupIds"]![0] == "blob");
        Assert.Single(infra.Private.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"));
    }

    [Fact]
    public void With_vnet_enabled_both_subnets_carry_a_network_security_group()
    {
        var vnet = infra.Private.Single("Microsoft.Network/virtualNetworks");
        var nsg = infra.Private.Single("Microsoft.Network/networkSecurityGroups");

        Assert.All(
            vnet["properties"]!["subnets"]!.AsArray(),
            s => Assert.Equal((string?)nsg["id"], (string?)s!["properties"]!["networkSecurityGroup"]!["id"]));
    }

    [Fact]
    public void With_a_nat_gateway_every_outbound_call_leaves_from_one_static_public_ip()
    {
        var vnet = infra.Private.Single("Microsoft.Network/virtualNetworks");
        var nat = infra.Private.Single("Microsoft.Network/natGateways");
        var ip = infra.Private.Single("Microsoft.Network/publicIPAddresses");

        Assert.Equal("Static", (string?)ip["properties"]!["publicIPAllocationMethod"]);
        Assert.Equal("Standard", (string?)ip["sku"]!["name"]);
        Assert.Equal([(string)ip["id"]!], nat["properties"]!["publicIpAddresses"]!.AsArray().Select(p => (string)p!["id"]!));
        Assert.Equal((string?)nat["id"], (string?)Subnet(vnet, "app")["properties"]!["natGateway"]!["id"]);
        Assert.False((bool)Subnet(vnet, "app")["properties"]!["defaultOutboundAccess"]!);
    }

    [Fact]
    public void Without_a_nat_gateway_the_app_subnet_keeps_default_outbound_access_to_reach_the_providers()
    {
        // Read from the compiled network module: new subnets have no implicit internet access, and a Flex app
        // sends its provider calls through its subnet, so the subnet must say how it gets out.
        var network = NestedTemplate(infra.Template, "network");
        var vnet = Assert.Single(network["resources"]!.AsArray(), r => (string?)r!["type"] == "Microsoft.Network/virtualNetworks")!;
        var appSubnet = Assert.Single(vnet["properties"]!["subnets"]!.AsArray(), s => (string?)s!["name"] == "app")!["properties"]!;

        Assert.Equal("[not(parameters('natGatewayEnabled'))]", (string?)appSubnet["defaultOutboundAccess"]);
        Assert.Equal("[if(parameters('natGatewayEnabled'), createObject('id', resourceId('Microsoft.Network/natGateways', parameters('natGatewayName'))), null())]", (string?)appSubnet["natGateway"]);
    }

    [Fact]
    public void The_function_app_waits_for_the_private_endpoints_it_reaches_storage_and_the_vault_through()
    {
        var functionApp = infra.Template["resources"]!.AsObject()["functionApp"]!;

        Assert.Contains("privateEndpoints", functionApp["dependsOn"]!.AsArray().Select(d => (string)d!));
    }

    private Snapshot Get(string set) => set switch
    {
        "dev" => infra.Dev,
        "prod" => infra.Prod,
        _ => infra.Full,
    };

    private static JsonNode Subnet(JsonObject vnet, string name) =>
        Assert.Single(vnet["properties"]!["subnets"]!.AsArray(), s => (string?)s!["name"] == name)!;

    private static string SubnetId(JsonObject vnet, string name) => $"{vnet["id"]}/subnets/{name}";

    /// <summary>Zone names built from the cloud's storage suffix stay expressions in the snapshot; compare their core.</summary>
    private static string ZoneNameExpression(string zoneName) =>
        zoneName.StartsWith("[format('", StringComparison.Ordinal) ? zoneName[9..zoneName.IndexOf('\'', 9)] : zoneName;

    private static JsonObject NestedTemplate(JsonObject template, string module) =>
        template["resources"]!.AsObject()[module]!["properties"]!["template"]!.AsObject();
}
