using System.Net;
using Paddock.Core.Network;

namespace Paddock.Core.Tests.Network;

/// <summary>E2B's egress rules: validation in E2B's words, its precedence, its domain matching.</summary>
public sealed class EgressRulesTests
{
    [Theory]
    [InlineData("api.example.com", "api.example.com", true)]
    [InlineData("api.example.com", "API.Example.COM.", true)]
    [InlineData("example.com", "www.example.com", false)]
    [InlineData("*.example.com", "www.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "badexample.com", false)]
    [InlineData("*", "anything.test", true)]
    public void Domains_MatchAsE2bDoes(string pattern, string host, bool matches) =>
        Assert.Equal(matches, DomainPattern.Parse(pattern).Matches(host));

    [Fact]
    public void Validate_NamesEveryBadEntry()
    {
        var rules = new EgressRules { DenyOut = ["example.com", "10.0.0.1/8", "0.0.0.0/0", "8.8.8.8"], AllowOut = ["1.2.3", "::1", "api.test", "10.0.0.0/8"] };
        Assert.Equal(
            ["invalid denied CIDR example.com", "invalid denied CIDR 10.0.0.1/8", "invalid allowed address 1.2.3", "invalid allowed address ::1"],
            rules.Validate().ToArray());

        Assert.Contains(
            "When specifying allowed domains in allow out, you must include 'ALL_TRAFFIC' in deny out to block all other traffic.",
            new EgressRules { AllowOut = ["api.test"] }.Validate());
        Assert.Contains("invalid denied CIDR 0.0.0.0/8", new EgressRules { DenyOut = ["0.0.0.0/8"] }.Validate());
        Assert.Empty(new EgressRules { AllowOut = ["1.1.1.1"] }.Validate());
    }

    [Fact]
    public void Policy_AllowBeatsDeny_ElseDenyBlocks_ElseThrough()
    {
        var policy = new EgressRules { AllowOut = ["1.1.1.1", "api.test"], DenyOut = ["0.0.0.0/0"] }.Resolve(internetByDefault: true);
        Assert.True(policy.Allows(IPAddress.Parse("1.1.1.1")));
        Assert.False(policy.Allows(IPAddress.Parse("8.8.8.8")));
        Assert.True(policy.AllowsHost("api.test"));
        Assert.False(policy.AllowsHost("other.test"));
        Assert.False(policy.AllowsHost(null));

        var denyOne = new EgressRules { DenyOut = ["8.8.8.8"] }.Resolve(internetByDefault: true);
        Assert.False(denyOne.Allows(IPAddress.Parse("8.8.8.8")));
        Assert.True(denyOne.Allows(IPAddress.Parse("8.8.4.4")));
    }

    [Fact]
    public void NoInternet_DeniesEverything_ButKeepsAllowOut()
    {
        var policy = new EgressRules { AllowInternetAccess = false, AllowOut = ["8.8.8.8"] }.Resolve(internetByDefault: true);
        Assert.True(policy.Allows(IPAddress.Parse("8.8.8.8")));
        Assert.False(policy.Allows(IPAddress.Parse("1.1.1.1")));

        Assert.True(EgressRules.None.Resolve(internetByDefault: true).IsOpen);
        Assert.False(EgressRules.None.Resolve(internetByDefault: false).Allows(IPAddress.Parse("1.1.1.1")));
        Assert.False(new EgressRules { AllowInternetAccess = true }.Resolve(internetByDefault: false).IsOpen is false);
    }

    [Fact]
    public void Resolving_IsItselfAWayOut_ADenyAllSandboxResolvesOnlyItsDomains()
    {
        var policy = new EgressRules { AllowOut = ["*.wild.test"], DenyOut = ["0.0.0.0/0"] }.Resolve(internetByDefault: true);
        Assert.True(policy.MayResolve("www.wild.test"));
        Assert.False(policy.MayResolve("exfiltrate.attacker.test"));
        Assert.True(new EgressRules { DenyOut = ["8.8.8.8"] }.Resolve(internetByDefault: true).MayResolve("anything.test"));
        Assert.False(new EgressRules { AllowInternetAccess = false }.Resolve(internetByDefault: true).MayResolve("anything.test"));

        // Every address denied, however it is spelled.
        var halves = new EgressRules { DenyOut = ["0.0.0.0/1", "128.0.0.0/1"], AllowOut = ["1.1.1.1"] }.Resolve(internetByDefault: true);
        Assert.True(halves.DeniesEverything);
        Assert.False(halves.MayResolve("exfiltrate.attacker.test"));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("203.0.113.10", "203.0.113.10", true)]
    [InlineData("0.0.0.0/0", "1.2.3.4", true)]
    public void Ranges_Contain(string range, string address, bool contains) =>
        Assert.Equal(contains, Ipv4Range.Parse(range).Contains(IPAddress.Parse(address)));
}
