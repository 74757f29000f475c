using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Paddock.Core.Network;

namespace Paddock.Runtime.Network;

/// <summary>
/// Where no sandbox may connect, whatever its own rules say, checked by the host before them: the address
/// pool (other sandboxes), loopback, link-local (cloud metadata at 169.254.169.254), multicast and reserved
/// blocks; the private, shared (carrier-grade NAT) blocks unless the operator allows part of them; the
/// operator's denied blocks; and the host's own addresses. The firewall enforces the same lists for traffic
/// the kernel forwards; the egress proxy asks <see cref="Blocks"/> before every connection it makes.
/// </summary>
internal sealed class ReachableRanges
{
    /// <summary>
    /// Never reachable, and no setting changes that: loopback, link-local (most clouds' metadata), multicast,
    /// reserved, and the clouds' metadata services outside link-local (Azure's WireServer, Alibaba's metadata).
    /// </summary>
    public static readonly Ipv4Range[] Fixed =
    [
        Ipv4Range.Parse("0.0.0.0/8"), Ipv4Range.Parse("127.0.0.0/8"), Ipv4Range.Parse("169.254.0.0/16"),
        Ipv4Range.Parse("224.0.0.0/4"), Ipv4Range.Parse("240.0.0.0/4"),
        Ipv4Range.Parse("168.63.129.16/32"), Ipv4Range.Parse("100.100.100.200/32"),
    ];

    /// <summary>Private and shared blocks: not reachable unless the operator allows them.</summary>
    public static readonly Ipv4Range[] Private =
    [
        Ipv4Range.Parse("10.0.0.0/8"), Ipv4Range.Parse("172.16.0.0/12"), Ipv4Range.Parse("192.168.0.0/16"),
        Ipv4Range.Parse("100.64.0.0/10"),
    ];

    private static readonly TimeSpan s_hostAddressesFor = TimeSpan.FromSeconds(5);

    private (DateTime At, HashSet<IPAddress> Addresses) _host = (DateTime.MinValue, []);

    public ReachableRanges(Ipv4Range pool, IReadOnlyList<Ipv4Range> allowed, IReadOnlyList<Ipv4Range> denied)
    {
        Pool = pool;
        Allowed = allowed;
        Denied = denied;
    }

    public Ipv4Range Pool { get; }

    public IReadOnlyList<Ipv4Range> Allowed { get; }

    public IReadOnlyList<Ipv4Range> Denied { get; }

    /// <summary>Whether a connection to <paramref name="address"/> must never be made for a sandbox.</summary>
    public bool Blocks(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return true;
        }

        var value = Ipv4Range.ToUInt32(address);
        return Pool.Contains(value)
            || Fixed.Any(r => r.Contains(value))
            || Denied.Any(r => r.Contains(value))
            || (Private.Any(r => r.Contains(value)) && !Allowed.Any(r => r.Contains(value)))
            || HostAddresses().Contains(address);
    }

    // The host's addresses change rarely (DHCP, an interface added): read again every few seconds.
    private HashSet<IPAddress> HostAddresses()
    {
        var cached = _host;
        if (DateTime.UtcNow - cached.At < s_hostAddressesFor)
        {
            return cached.Addresses;
        }

        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .ToHashSet();
        _host = (DateTime.UtcNow, addresses);
        return addresses;
    }
}
