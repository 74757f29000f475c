using System.Net;
using System.Net.Sockets;

namespace Paddock.Core.Network;

/// <summary>
/// What a caller asked for a sandbox's outbound traffic, as E2B's API takes it: <c>allow_internet_access</c>
/// and <c>network.allowOut</c> / <c>network.denyOut</c>. Kept as given (so it is reported back as given);
/// <see cref="Resolve"/> turns it into the <see cref="EgressPolicy"/> the host enforces.
/// </summary>
public sealed record EgressRules
{
    /// <summary>E2B's name for "every address" in <c>denyOut</c>.</summary>
    public const string AllTraffic = "0.0.0.0/0";

    /// <summary>No rules: what a sandbox gets when the caller says nothing.</summary>
    public static readonly EgressRules None = new();

    /// <summary><c>allow_internet_access</c>; null leaves it to the server's default.</summary>
    public bool? AllowInternetAccess { get; init; }

    /// <summary>Addresses, CIDRs and domains (<c>example.com</c>, <c>*.example.com</c>, <c>*</c>) always let through.</summary>
    public IReadOnlyList<string> AllowOut { get; init; } = [];

    /// <summary>Addresses and CIDRs blocked unless <see cref="AllowOut"/> lets them through.</summary>
    public IReadOnlyList<string> DenyOut { get; init; } = [];

    /// <summary>
    /// Every entry E2B's API refuses, in its words: a <c>denyOut</c> entry that is not an IPv4 address or CIDR
    /// (<c>0.0.0.0/0</c> is the only unspecified address allowed), an <c>allowOut</c> entry that looks like an
    /// address but does not parse, and allowed domains without <c>0.0.0.0/0</c> in <c>denyOut</c>.
    /// </summary>
    public IEnumerable<string> Validate()
    {
        foreach (var entry in DenyOut)
        {
            if (entry != AllTraffic && (Ipv4Range.TryParse(entry, out var range) is false || range.Network == 0))
            {
                yield return $"invalid denied CIDR {entry}";
            }
        }

        var domains = false;
        foreach (var entry in AllowOut)
        {
            if (LooksLikeAddress(entry))
            {
                if (!Ipv4Range.TryParse(entry, out _))
                {
                    yield return $"invalid allowed address {entry}";
                }
            }
            else if (!DomainPattern.IsValid(entry))
            {
                yield return $"invalid allowed domain {entry}";
            }
            else
            {
                domains = true;
            }
        }

        if (domains && !DenyOut.Contains(AllTraffic))
        {
            yield return "When specifying allowed domains in allow out, you must include 'ALL_TRAFFIC' in deny out to block all other traffic.";
        }
    }

    /// <summary>
    /// The policy these rules make, as E2B applies them: no internet denies every address but keeps what
    /// <see cref="AllowOut"/> lets through.
    /// </summary>
    public EgressPolicy Resolve(bool internetByDefault)
    {
        var allowCidrs = new List<Ipv4Range>();
        var domains = new List<DomainPattern>();
        foreach (var entry in AllowOut)
        {
            if (Ipv4Range.TryParse(entry, out var range))
            {
                allowCidrs.Add(range);
            }
            else if (!LooksLikeAddress(entry) && DomainPattern.IsValid(entry))
            {
                domains.Add(DomainPattern.Parse(entry));
            }
        }

        var denyCidrs = new List<Ipv4Range>();
        foreach (var entry in DenyOut)
        {
            if (Ipv4Range.TryParse(entry, out var range))
            {
                denyCidrs.Add(range);
            }
        }

        if (!(AllowInternetAccess ?? internetByDefault) && !denyCidrs.Contains(Ipv4Range.All))
        {
            denyCidrs.Add(Ipv4Range.All);
        }

        return new EgressPolicy(allowCidrs, denyCidrs, domains);
    }

    // E2B treats anything that does not parse as an address as a domain; an entry made only of digits,
    // dots and a slash (or holding a colon) was meant as an address and is refused if it does not parse.
    private static bool LooksLikeAddress(string entry) =>
        entry.Contains(':', StringComparison.Ordinal)
        || (entry.Length > 0 && entry.All(c => char.IsAsciiDigit(c) || c is '.' or '/'));

    /// <summary>Parses an address for <see cref="Validate"/>; IPv6 entries are not kept (E2B's rules are IPv4 only).</summary>
    internal static bool IsIpv6(string entry) =>
        IPAddress.TryParse(entry.Split('/')[0], out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
}
