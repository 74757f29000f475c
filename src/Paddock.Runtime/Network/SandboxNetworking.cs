using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Paddock.Core.Network;
using Paddock.Runtime.Native;

namespace Paddock.Runtime.Network;

/// <summary>
/// Each sandbox's way out. A sandbox has its own network namespace (made by crun); after the container is
/// created and before it starts, this gives it a veth pair, routed (no bridge, so no sandbox shares a link
/// with another): the host end <c>p&lt;server&gt;&lt;address in hex&gt;</c> with strict reverse-path filtering (a sandbox
/// cannot send from an address that is not its own), the sandbox end <c>eth0</c> with one address from the
/// pool and a default route to the gateway, IPv6 off on both. All of it is rtnetlink requests from this
/// process (well under a millisecond), no process started. Its rules go to the firewall only when it has
/// any; its resolver and web-proxy are this process's <see cref="DnsRelay"/> and <see cref="EgressProxy"/>.
/// What a sandbox was given is kept in its bundle (<c>network.json</c>), so a restarted server finds every
/// address and rule again, and removes the interfaces of sandboxes that are gone.
/// </summary>
public sealed partial class SandboxNetworking : IAsyncDisposable
{
    private const string StateFile = "network.json";
    private const string SandboxInterface = "eth0";

    // Each pair is a link of its own, so every pair can use the same two (locally administered) hardware addresses.
    // Both ends know the other's from a permanent neighbour entry, and the host end answers no ARP at all: a
    // sandbox asking "who has X" for every address would otherwise learn each of the host's own addresses (the
    // host answers for any of them on any link by default), and the host never asks, so its requests do not
    // name one of its addresses either.
    private static readonly byte[] s_hostMac = [0x02, 0x70, 0x64, 0x00, 0x00, 0x01];
    private static readonly byte[] s_sandboxMac = [0x02, 0x70, 0x64, 0x00, 0x00, 0x02];
    private static readonly string[] s_toolDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private readonly NetworkOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<IPAddress, SandboxEgress> _byAddress = new();
    private readonly ConcurrentDictionary<string, SandboxEgress> _byId = new(StringComparer.Ordinal);
    private readonly Lock _addressesGate = new();
    private readonly HashSet<uint> _addressesInUse = [];
    private readonly Ipv4Range _pool;
    private readonly IPAddress _gateway;
    private readonly EgressFirewall _firewall;
    private readonly HostRouting _routing;
    private ReachableRanges? _ranges;
    private DnsRelay? _dns;
    private EgressProxy? _proxy;
    private string? _uplink;
    private bool _forwardingEnabledHere;
    private readonly string _interfacePrefix;
    private uint _cursor;

    /// <summary>Sandbox networking for the server whose data dir is <paramref name="dataDir"/>.</summary>
    public SandboxNetworking(NetworkOptions options, string dataDir, ILogger<SandboxNetworking> logger)
    {
        _options = options;
        _logger = logger;
        Enabled = options.Enabled;
        _pool = Ipv4Range.TryParse(options.AddressPool, out var pool) ? pool : Ipv4Range.Parse("10.88.0.0/16");
        _gateway = _pool.AddressAt(1);

        // Names, routing table and mark unique to this data dir, so two servers on one host never share them.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDir)));
        var suffix = Convert.ToHexStringLower(hash);
        var number = (hash[0] << 8) | hash[1];
        _firewall = new EgressFirewall("paddock_" + suffix[..12]);
        _interfacePrefix = "p" + suffix[..4];
        _routing = new HostRouting(options, suffix, routeTable: 0x5000 + (number % 0x1000), mark: 0x70ad0000 | number, rulePriority: 5000 + (number % 1000 * 3));
    }

    /// <summary>Whether sandboxes get a network (else they have loopback only).</summary>
    public bool Enabled { get; private set; }

    /// <summary>Whether a sandbox that says nothing of it may reach the internet.</summary>
    public bool InternetByDefault => _options.InternetAccess;

    /// <summary>The sandboxes' resolver, as their <c>/etc/resolv.conf</c> names it.</summary>
    public IPAddress Gateway => _gateway;

    /// <summary>
    /// Makes the host ready (routing, firewall, resolver, proxy) and picks up the sandboxes whose bundles are
    /// in <paramref name="bundles"/>: their addresses and rules; interfaces of sandboxes that are gone are removed.
    /// </summary>
    public async Task StartAsync(IEnumerable<string> bundles, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        foreach (var (tool, package) in new[] { ("ip", "iproute2"), ("nft", "nftables") })
        {
            if (!s_toolDirectories.Any(dir => File.Exists(Path.Combine(dir, tool))))
            {
                throw new InvalidOperationException(
                    $"Sandbox networking needs '{tool}': install it with: apt-get install {package} (or set Network:Enabled=false for loopback-only sandboxes)");
            }
        }

        var (uplink, uplinkGateway) = await _routing.FindUplinkAsync(cancellationToken);
        _uplink = uplink;
        _forwardingEnabledHere = await _routing.InstallAsync(_pool, _gateway, uplink, uplinkGateway, cancellationToken);
        try
        {
            await StartServicesAsync(bundles, uplink, uplinkGateway, cancellationToken);
        }
        catch
        {
            // A start that fails (the gateway's ports taken, nft refusing) leaves nothing of its own behind.
            await DisposeAsync();
            if (_byId.IsEmpty)
            {
                await _firewall.DeleteAsync(CancellationToken.None);
                await _routing.RemoveAsync(uplink, _forwardingEnabledHere, CancellationToken.None);
            }

            throw;
        }
    }

    private async Task StartServicesAsync(IEnumerable<string> bundles, string uplink, IPAddress? uplinkGateway, CancellationToken cancellationToken)
    {
        _ranges = new ReachableRanges(
            _pool,
            [.. NetworkOptions.Split(_options.AllowedRanges).Select(Ipv4Range.Parse)],
            [.. NetworkOptions.Split(_options.DeniedRanges).Select(Ipv4Range.Parse)]);

        var resolvers = UpstreamResolvers();
        _dns = new DnsRelay(_gateway, resolvers, _routing.Mark, SandboxAt, _logger);
        _dns.Start();
        _proxy = new EgressProxy(_gateway, _routing.Mark, _ranges, _dns, SandboxAt, _logger);
        _proxy.Start();

        foreach (var bundle in bundles)
        {
            if (Read(bundle) is { } held)
            {
                Hold(held);
            }
        }

        var layout = new FirewallLayout(
            _pool, _gateway, uplink, _interfacePrefix, _routing.Mark, _proxy.Port, _forwardingEnabledHere, resolvers, _ranges.Allowed, _ranges.Denied);
        await _firewall.InstallAsync(layout, _byAddress.Values.Select(s => (s.Address, s.Policy)), cancellationToken);
        RemoveOrphanInterfaces();
        LogStarted(_logger, uplink, uplinkGateway?.ToString() ?? "(on link)", _pool.ToString(), _options.InternetAccess);
    }

    /// <summary>
    /// Gives a created (not yet started) container its network: <paramref name="initPid"/> is its init, whose
    /// namespace it joins. On failure whatever was made is removed.
    /// </summary>
    public async Task AttachAsync(string sandboxId, string bundle, int initPid, EgressRules rules, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        var address = Allocate();
        var sandbox = new SandboxEgress(sandboxId, address, rules.Resolve(_options.InternetAccess));
        try
        {
            Write(bundle, address, rules);
            var name = InterfaceOf(address);
            var namespaceFd = Libc.Open($"/proc/{initPid}/ns/net", Libc.ORdOnly | Libc.OCloexecFlag, 0);
            if (namespaceFd < 0)
            {
                throw Libc.Error($"opening the network namespace of sandbox {sandboxId}");
            }

            try
            {
                using (var host = Netlink.Open())
                {
                    host.AddVethPair(name, s_hostMac, SandboxInterface, s_sandboxMac, namespaceFd);
                    Sysctl.Write($"net/ipv6/conf/{name}/disable_ipv6", "1");
                    Sysctl.Write($"net/ipv4/conf/{name}/rp_filter", "1");
                    Sysctl.Write($"net/ipv4/conf/{name}/forwarding", "1");
                    Sysctl.Write($"net/ipv4/conf/{name}/arp_ignore", "8");
                    var hostIndex = host.IndexOf(name);
                    host.AddPermanentNeighbour(hostIndex, address, s_sandboxMac);
                    host.SetUp(hostIndex);
                    host.AddHostRoute(address, hostIndex);
                }

                using var inside = Netlink.OpenIn(namespaceFd);
                var index = inside.IndexOf(SandboxInterface);
                inside.AddAddress(index, address, 32);
                inside.AddPermanentNeighbour(index, _gateway, s_hostMac);
                inside.SetUp(index);
                inside.SetUp(1); // loopback
                inside.AddDefaultRoute(_gateway, index);
            }
            finally
            {
                Libc.Close(namespaceFd);
            }

            if (!sandbox.Policy.IsOpen)
            {
                await _firewall.SetAsync(address, sandbox.Policy, cancellationToken);
            }

            Hold(sandbox);
        }
        catch
        {
            await ReleaseAsync(sandboxId, address, removeRules: !sandbox.Policy.IsOpen);
            throw;
        }
    }

    /// <summary>Applies new rules to a sandbox's open and new connections; done when this returns.</summary>
    public async Task UpdateAsync(string sandboxId, string bundle, EgressRules rules, CancellationToken cancellationToken)
    {
        if (!Enabled || !_byId.TryGetValue(sandboxId, out var current))
        {
            return;
        }

        var updated = current with { Policy = rules.Resolve(_options.InternetAccess) };
        if (!(current.Policy.IsOpen && updated.Policy.IsOpen))
        {
            await _firewall.SetAsync(updated.Address, updated.Policy, cancellationToken);
        }

        Write(bundle, updated.Address, rules);
        _byId[sandboxId] = updated;
        _byAddress[updated.Address] = updated;
        _proxy?.Rejudge(updated.Address);
    }

    /// <summary>Removes a sandbox's interfaces, rules and address; nothing if it has none.</summary>
    public async Task DetachAsync(string sandboxId, string bundle)
    {
        if (!Enabled)
        {
            return;
        }

        var held = _byId.TryGetValue(sandboxId, out var sandbox) ? sandbox : Read(bundle);
        if (held is not null)
        {
            await ReleaseAsync(sandboxId, held.Address, removeRules: true);
        }
    }

    /// <summary>The sandbox's <c>/etc/resolv.conf</c>.</summary>
    public string ResolvConf => $"nameserver {_gateway}\noptions edns0\n";

    /// <summary>Stops the resolver and proxy; removes the host-wide pieces when no sandbox is left.</summary>
    public async ValueTask DisposeAsync()
    {
        // The host stops it, then the container disposes it: the second time there is nothing to do.
        var (proxy, dns) = (_proxy, _dns);
        (_proxy, _dns) = (null, null);
        if (proxy is not null)
        {
            await proxy.DisposeAsync();
        }

        if (dns is not null)
        {
            await dns.DisposeAsync();
        }

        if (Enabled && _uplink is not null && _byId.IsEmpty && proxy is not null)
        {
            await _firewall.DeleteAsync(CancellationToken.None);
            await _routing.RemoveAsync(_uplink, _forwardingEnabledHere, CancellationToken.None);
        }
    }

    private SandboxEgress? SandboxAt(IPAddress address) => _byAddress.TryGetValue(address, out var sandbox) ? sandbox : null;

    private void Hold(SandboxEgress sandbox)
    {
        lock (_addressesGate)
        {
            _addressesInUse.Add(Ipv4Range.ToUInt32(sandbox.Address));
        }

        _byId[sandbox.SandboxId] = sandbox;
        _byAddress[sandbox.Address] = sandbox;
    }

    private async Task ReleaseAsync(string sandboxId, IPAddress address, bool removeRules)
    {
        _byId.TryRemove(sandboxId, out _);
        _byAddress.TryRemove(address, out _);
        _proxy?.Rejudge(address);
        _dns?.Forget(address);
        if (removeRules)
        {
            await _firewall.RemoveAsync(address, CancellationToken.None);
        }

        // Deleting the container's namespace would take the pair with it, but only some time later: the name
        // must be free before the address is given again.
        using (var host = Netlink.Open())
        {
            host.DeleteLink(InterfaceOf(address));
        }

        lock (_addressesGate)
        {
            _addressesInUse.Remove(Ipv4Range.ToUInt32(address));
        }
    }

    private IPAddress Allocate()
    {
        lock (_addressesGate)
        {
            // The network address, the gateway and the broadcast address are never a sandbox's.
            var count = (uint)(_pool.Size - 3);
            for (uint i = 0; i < count; i++)
            {
                var candidate = _pool.Network + 2 + ((_cursor + i) % count);
                if (_addressesInUse.Add(candidate))
                {
                    _cursor = (_cursor + i + 1) % count;
                    return Ipv4Range.FromUInt32(candidate);
                }
            }
        }

        throw new InvalidOperationException($"every address of the sandbox pool {_pool} is in use: set a larger Network:AddressPool");
    }

    // Interfaces of this pool whose sandbox is not held: left by a crash between a delete and its cleanup.
    private void RemoveOrphanInterfaces()
    {
        using var host = Netlink.Open();
        foreach (var path in Directory.EnumerateDirectories("/sys/class/net", _interfacePrefix + "*"))
        {
            var name = Path.GetFileName(path);
            if (uint.TryParse(name.AsSpan(_interfacePrefix.Length), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)
                && _pool.Contains(value) && !_byAddress.ContainsKey(Ipv4Range.FromUInt32(value)))
            {
                host.DeleteLink(name);
                LogOrphan(_logger, name);
            }
        }
    }

    private List<IPAddress> UpstreamResolvers()
    {
        if (NetworkOptions.Split(_options.Dns).Select(IPAddress.Parse).ToList() is { Count: > 0 } configured)
        {
            return configured;
        }

        foreach (var file in new[] { "/etc/resolv.conf", "/run/systemd/resolve/resolv.conf" })
        {
            var found = File.Exists(file)
                ? File.ReadLines(file)
                    .Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                    .Where(w => w.Length >= 2 && w[0] == "nameserver" && IPAddress.TryParse(w[1], out var a)
                        && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
                    .Select(w => IPAddress.Parse(w[1]))
                    .ToList()
                : [];
            if (found.Count > 0)
            {
                return found;
            }
        }

        LogNoResolver(_logger);
        return [];
    }

    // p<4 hex of this server><8 hex of the address>: 13 characters (the kernel allows 15), unique on the host,
    // and one prefix per server, which its firewall matches its sandboxes' interfaces by.
    private string InterfaceOf(IPAddress address) =>
        _interfacePrefix + Ipv4Range.ToUInt32(address).ToString("x8", CultureInfo.InvariantCulture);

    private static void Write(string bundle, IPAddress address, EgressRules rules)
    {
        var state = new JsonObject
        {
            ["address"] = address.ToString(),
            ["allowInternetAccess"] = rules.AllowInternetAccess,
            ["allowOut"] = new JsonArray([.. rules.AllowOut.Select(v => (JsonNode)v)]),
            ["denyOut"] = new JsonArray([.. rules.DenyOut.Select(v => (JsonNode)v)]),
        };
        var path = Path.Combine(bundle, StateFile);
        File.WriteAllText(path + ".new", state.ToJsonString());
        File.Move(path + ".new", path, overwrite: true);
    }

    private SandboxEgress? Read(string bundle)
    {
        var path = Path.Combine(bundle, StateFile);
        if (!File.Exists(path))
        {
            return null;
        }

        var state = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var rules = new EgressRules
        {
            AllowInternetAccess = state["allowInternetAccess"]?.GetValue<bool>(),
            AllowOut = [.. state["allowOut"]!.AsArray().Select(v => v!.GetValue<string>())],
            DenyOut = [.. state["denyOut"]!.AsArray().Select(v => v!.GetValue<string>())],
        };
        return new SandboxEgress(Path.GetFileName(bundle), IPAddress.Parse(state["address"]!.GetValue<string>()), rules.Resolve(_options.InternetAccess));
    }

    [LoggerMessage(30, LogLevel.Information, "Sandbox networking: out by {Uplink} through {Gateway}, addresses from {Pool}, internet by default: {Internet}")]
    private static partial void LogStarted(ILogger logger, string uplink, string gateway, string pool, bool internet);

    [LoggerMessage(31, LogLevel.Information, "Removed interface {Name}: its sandbox is gone")]
    private static partial void LogOrphan(ILogger logger, string name);

    [LoggerMessage(32, LogLevel.Warning, "No resolver for sandboxes: /etc/resolv.conf names none but local ones; set Network:Dns (PADDOCK_NETWORK_DNS)")]
    private static partial void LogNoResolver(ILogger logger);
}
