using System.Globalization;
using System.Net;
using System.Text.Json;
using Paddock.Core.Network;
using Paddock.Runtime.Host;

namespace Paddock.Runtime.Network;

/// <summary>
/// The host-wide pieces of sandbox networking, made once at start with iproute2 and left in place while any
/// sandbox runs (they outlive the server, as the sandboxes do): the gateway device (a bridge with no ports
/// that holds the gateway address, so the host answers sandboxes there), a routing table that sends
/// sandbox traffic and the host's marked sockets by the uplink only, the rules that select it, and
/// forwarding on the interfaces that need it.
/// </summary>
internal sealed class HostRouting(NetworkOptions options, string suffix, int routeTable, int mark, int rulePriority)
{
    public string GatewayDevice { get; } = "pgw" + suffix[..8];

    public int RouteTable => routeTable;

    public int Mark => mark;

    /// <summary>The uplink and its next hop, from the settings or the host's default route.</summary>
    public async Task<(string Uplink, IPAddress? Gateway)> FindUplinkAsync(CancellationToken cancellationToken)
    {
        var json = await CommandRunner.RunAsync("ip", ["-j", "-4", "route", "show", "default"], cancellationToken);
        using var routes = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
        var defaults = routes.RootElement.EnumerateArray()
            .Select(r => (Dev: r.TryGetProperty("dev", out var d) ? d.GetString() : null, Via: r.TryGetProperty("gateway", out var g) ? g.GetString() : null))
            .Where(r => r.Dev is not null)
            .ToList();
        var uplink = options.Uplink is { Length: > 0 } configured ? configured : defaults.FirstOrDefault().Dev
            ?? throw new InvalidOperationException("The host has no default route, so sandboxes have no way out: set Network:Uplink (PADDOCK_NETWORK_UPLINK), or Network:Enabled=false");
        if (!Directory.Exists($"/sys/class/net/{uplink}"))
        {
            throw new InvalidOperationException($"Network:Uplink names interface '{uplink}', which this host does not have");
        }

        var gateway = options.UplinkGateway is { Length: > 0 } given ? IPAddress.Parse(given)
            : defaults.FirstOrDefault(r => r.Dev == uplink).Via is { } via ? IPAddress.Parse(via) : null;
        return (uplink, gateway);
    }

    /// <summary>Makes (or makes again, after a crash) everything host-wide; true if forwarding on the uplink was turned on here.</summary>
    public async Task<bool> InstallAsync(Ipv4Range pool, IPAddress gatewayAddress, string uplink, IPAddress? uplinkGateway, CancellationToken cancellationToken)
    {
        if (!Directory.Exists($"/sys/class/net/{GatewayDevice}"))
        {
            await CommandRunner.RunAsync("ip", ["link", "add", "name", GatewayDevice, "type", "bridge"], cancellationToken);
        }

        Sysctl.Write($"net/ipv6/conf/{GatewayDevice}/disable_ipv6", "1");
        await CommandRunner.RunAsync("ip", ["addr", "replace", $"{gatewayAddress}/32", "dev", GatewayDevice], cancellationToken);
        await CommandRunner.RunAsync("ip", ["link", "set", GatewayDevice, "up"], cancellationToken);

        // The sandboxes' table: the uplink's own subnets and its default route, nothing else.
        await CommandRunner.TryRunAsync("ip", ["route", "flush", "table", Table], cancellationToken);
        var json = await CommandRunner.RunAsync("ip", ["-j", "-4", "route", "show", "table", "main", "dev", uplink, "scope", "link"], cancellationToken);
        using (var links = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json))
        {
            foreach (var route in links.RootElement.EnumerateArray())
            {
                if (route.TryGetProperty("dst", out var dst) && dst.GetString() is { } destination && destination != "default")
                {
                    await CommandRunner.RunAsync("ip", ["route", "replace", destination, "dev", uplink, "table", Table], cancellationToken);
                }
            }
        }

        await CommandRunner.RunAsync(
            "ip",
            uplinkGateway is null
                ? ["route", "replace", "default", "dev", uplink, "table", Table]
                : ["route", "replace", "default", "via", uplinkGateway.ToString(), "dev", uplink, "onlink", "table", Table],
            cancellationToken);

        await RemoveRulesAsync(cancellationToken);
        // Replies and traffic between sandboxes and the host use the main table (the per-sandbox routes); what
        // sandboxes send elsewhere, and the host's marked sockets, use the sandboxes' table.
        await CommandRunner.RunAsync("ip", ["rule", "add", "to", pool.ToString(), "lookup", "main", "priority", Priority(0)], cancellationToken);
        await CommandRunner.RunAsync("ip", ["rule", "add", "from", pool.ToString(), "lookup", Table, "priority", Priority(1)], cancellationToken);
        await CommandRunner.RunAsync("ip", ["rule", "add", "fwmark", mark.ToString(CultureInfo.InvariantCulture), "lookup", Table, "priority", Priority(2)], cancellationToken);

        var enabledHere = Sysctl.Read($"net/ipv4/conf/{uplink}/forwarding") != "1";
        Sysctl.Write($"net/ipv4/conf/{uplink}/forwarding", "1");
        return enabledHere && Sysctl.Read("net/ipv4/ip_forward") != "1";
    }

    /// <summary>Removes everything <see cref="InstallAsync"/> made (when no sandbox is left).</summary>
    public async Task RemoveAsync(string? uplink, bool forwardingEnabledHere, CancellationToken cancellationToken)
    {
        await RemoveRulesAsync(cancellationToken);
        await CommandRunner.TryRunAsync("ip", ["route", "flush", "table", Table], cancellationToken);
        await CommandRunner.TryRunAsync("ip", ["link", "del", GatewayDevice], cancellationToken);
        if (forwardingEnabledHere && uplink is not null)
        {
            Sysctl.Write($"net/ipv4/conf/{uplink}/forwarding", "0");
        }
    }

    private string Table => routeTable.ToString(CultureInfo.InvariantCulture);

    private string Priority(int offset) => (rulePriority + offset).ToString(CultureInfo.InvariantCulture);

    private async Task RemoveRulesAsync(CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < 3; offset++)
        {
            // A crash between two starts can leave a rule twice: remove until none is left.
            for (var i = 0; i < 8; i++)
            {
                var result = await CommandRunner.TryRunAsync("ip", ["rule", "del", "priority", Priority(offset)], cancellationToken);
                if (result.ExitCode != 0)
                {
                    break;
                }
            }
        }
    }
}
