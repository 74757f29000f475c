using Paddock.Core.Network;

namespace Paddock.Runtime.Network;

/// <summary>
/// How sandboxes reach the outside (settings under <c>Paddock:Network</c>, environment <c>PADDOCK_NETWORK_*</c>).
/// Every setting has a default that works on a host with a default route.
/// </summary>
public sealed class NetworkOptions
{
    /// <summary>Whether sandboxes get a network at all; off, they have loopback only.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The interface sandbox traffic leaves by, and no other (default: the interface of the host's default
    /// route).
    /// </summary>
    public string? Uplink { get; set; }

    /// <summary>The next hop on <see cref="Uplink"/> (default: the gateway of the host's default route through it).</summary>
    public string? UplinkGateway { get; set; }

    /// <summary>
    /// The private block sandbox addresses come from; its first address is the sandboxes' gateway and
    /// resolver on the host. Two servers on one host need blocks that do not overlap.
    /// </summary>
    public string AddressPool { get; set; } = "10.88.0.0/16";

    /// <summary>
    /// The resolvers the host asks on the sandboxes' behalf, comma-separated (default: the host's own from
    /// /etc/resolv.conf, or systemd-resolved's upstream servers when that names only a local stub).
    /// </summary>
    public string? Dns { get; set; }

    /// <summary>
    /// Blocks of the private and shared (carrier-grade NAT) ranges sandboxes may reach anyway, comma-separated
    /// (for example an internal package mirror). The host's own addresses, other sandboxes, loopback and
    /// link-local addresses (cloud metadata) stay out of reach whatever this says.
    /// </summary>
    public string? AllowedRanges { get; set; }

    /// <summary>More blocks no sandbox may reach, comma-separated, whatever its own rules say.</summary>
    public string? DeniedRanges { get; set; }

    /// <summary>Whether a sandbox whose create says nothing of it has internet access (E2B's default: yes).</summary>
    public bool InternetAccess { get; set; } = true;

    /// <summary>Every broken rule, so one start reports all of them.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Ipv4Range.TryParse(AddressPool, out var pool) || pool.PrefixLength is < 8 or > 28)
        {
            yield return $"Network:AddressPool must be an IPv4 CIDR block between /8 and /28 (got '{AddressPool}')";
        }

        foreach (var (name, value) in new[] { ("AllowedRanges", AllowedRanges), ("DeniedRanges", DeniedRanges) })
        {
            foreach (var entry in Split(value))
            {
                if (!Ipv4Range.TryParse(entry, out _))
                {
                    yield return $"Network:{name}: '{entry}' is not an IPv4 address or CIDR block";
                }
            }
        }

        foreach (var entry in Split(Dns))
        {
            if (!System.Net.IPAddress.TryParse(entry, out _))
            {
                yield return $"Network:Dns: '{entry}' is not an IP address";
            }
        }

        if (UplinkGateway is { Length: > 0 } gateway && !System.Net.IPAddress.TryParse(gateway, out _))
        {
            yield return $"Network:UplinkGateway: '{gateway}' is not an IP address";
        }
    }

    internal static IEnumerable<string> Split(string? list) =>
        (list ?? string.Empty).Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
