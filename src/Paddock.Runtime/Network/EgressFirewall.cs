using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Paddock.Core.Network;

namespace Paddock.Runtime.Network;

/// <summary>
/// The server's nftables table: what the kernel enforces for sandbox traffic. One base ruleset, written whole
/// at start, holds everything a sandbox with no rules of its own needs (so creating one touches no firewall):
/// IPv6 from sandboxes dropped; forwarded traffic leaves by the uplink only and never reaches the fixed,
/// private (unless allowed) or denied blocks or the pool; the host answers sandboxes only on its resolver
/// and egress proxy ports; sandbox traffic is masqueraded to the uplink's address; nothing from the uplink
/// starts a connection to a sandbox. A sandbox with rules gets its own chain (its allowed blocks accepted,
/// then its denied blocks dropped), reached through a verdict map keyed by its address, and, when its rules
/// name domains, its web ports (80, 443) are redirected to the egress proxy, which reads the name asked for.
/// Every change is one <c>nft -f</c> transaction, so a sandbox is never seen half-updated. Source addresses
/// can be trusted: every sandbox interface has strict reverse-path filtering.
/// </summary>
internal sealed class EgressFirewall(string table, string nftPath = "nft")
{
    /// <summary>
    /// The most connections one sandbox may have in the host's connection tracking at once: the table is the
    /// host's, and a sandbox that filled it would stop every connection of the host and the other sandboxes.
    /// </summary>
    public const int MaxConnectionsPerSandbox = 4096;

    public string Table => table;

    /// <summary>Replaces the table with the base ruleset and the rules of <paramref name="sandboxes"/>.</summary>
    public Task InstallAsync(FirewallLayout layout, IEnumerable<(IPAddress Address, EgressPolicy Policy)> sandboxes, CancellationToken cancellationToken)
    {
        var script = new StringBuilder();
        script.AppendLine(CultureInfo.InvariantCulture, $"add table inet {table}");
        script.AppendLine(CultureInfo.InvariantCulture, $"delete table inet {table}");
        script.AppendLine(CultureInfo.InvariantCulture, $"table inet {table} {{");
        script.AppendLine(CultureInfo.InvariantCulture, $"  set fixed {{ type ipv4_addr; flags interval; auto-merge; elements = {{ {Elements([.. ReachableRanges.Fixed, .. layout.Denied, layout.Pool])} }} }}");
        script.AppendLine(CultureInfo.InvariantCulture, $"  set private {{ type ipv4_addr; flags interval; auto-merge; elements = {{ {Elements(ReachableRanges.Private)} }} }}");
        script.AppendLine(CultureInfo.InvariantCulture, $"  set allowed {{ type ipv4_addr; flags interval; auto-merge; {(layout.Allowed.Count > 0 ? $"elements = {{ {Elements(layout.Allowed)} }}" : string.Empty)} }}");
        script.AppendLine("  set proxied { type ipv4_addr; }");
        script.AppendLine("  map egress { type ipv4_addr : verdict; }");
        script.AppendLine("  set connections { type ipv4_addr; size 65535; flags dynamic; }");
        // Fragments from sandboxes would be reassembled in memory every namespace shares; nothing needs them.
        script.AppendLine("  chain fragments {");
        script.AppendLine("    type filter hook prerouting priority -450; policy accept;");
        script.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{layout.InterfacePrefix}*\" ip frag-off & 0x3fff != 0 drop");
        script.AppendLine("  }");
        script.AppendLine("  chain forward {");
        script.AppendLine("    type filter hook forward priority filter; policy accept;");
        script.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{layout.InterfacePrefix}*\" jump from_sandbox");
        script.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{layout.Uplink}\" ip daddr {layout.Pool} ct state established,related accept");
        script.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{layout.Uplink}\" ip daddr {layout.Pool} drop");
        if (layout.GuardUplink)
        {
            // Forwarding on the uplink was turned on for sandboxes: nothing arriving there starts a forwarded connection.
            script.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{layout.Uplink}\" ct state new,invalid drop");
        }

        script.AppendLine("  }");
        // Judged by the interface it came in on, never by its source alone: a sandbox's root can send from
        // 0.0.0.0 to a broadcast address, which reverse-path filtering lets through.
        script.AppendLine("  chain from_sandbox {");
        script.AppendLine("    meta nfproto ipv6 drop");
        script.AppendLine(CultureInfo.InvariantCulture, $"    ip saddr != {layout.Pool} drop");
        script.AppendLine(CultureInfo.InvariantCulture, $"    ct state new add @connections {{ ip saddr ct count over {MaxConnectionsPerSandbox} }} drop");
        script.AppendLine("    jump unreachable");
        script.AppendLine("    ip saddr vmap @egress");
        script.AppendLine("  }");
        // What nothing sent for a sandbox may reach, whatever its rules: anything but the uplink, the fixed and
        // denied blocks, private ranges the operator did not allow.
        script.AppendLine("  chain unreachable {");
        script.AppendLine(CultureInfo.InvariantCulture, $"    oifname != \"{layout.Uplink}\" drop");
        script.AppendLine("    ip daddr @fixed drop");
        script.AppendLine("    ip daddr @private ip daddr != @allowed drop");
        script.AppendLine("  }");
        script.AppendLine("  chain input {");
        script.AppendLine("    type filter hook input priority filter; policy accept;");
        script.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{layout.InterfacePrefix}*\" jump to_host");
        script.AppendLine("  }");
        script.AppendLine("  chain to_host {");
        script.AppendLine("    meta nfproto ipv6 drop");
        script.AppendLine(CultureInfo.InvariantCulture, $"    ip saddr != {layout.Pool} drop");
        script.AppendLine("    ct state established,related accept");
        script.AppendLine(CultureInfo.InvariantCulture, $"    ct state new add @connections {{ ip saddr ct count over {MaxConnectionsPerSandbox} }} drop");
        script.AppendLine(CultureInfo.InvariantCulture, $"    ip daddr {layout.Gateway} udp dport 53 accept");
        script.AppendLine(CultureInfo.InvariantCulture, $"    ip daddr {layout.Gateway} tcp dport {{ 53, {layout.ProxyPort} }} accept");
        script.AppendLine("    drop");
        script.AppendLine("  }");
        // What the server itself sends for sandboxes (marked sockets: the proxy's connections, resolver queries)
        // goes by the uplink only and to nowhere a sandbox may not reach; the resolvers it relays to excepted.
        script.AppendLine("  chain output {");
        script.AppendLine("    type filter hook output priority filter; policy accept;");
        script.AppendLine(CultureInfo.InvariantCulture, $"    meta mark {layout.Mark} jump from_server");
        script.AppendLine("  }");
        script.AppendLine("  chain from_server {");
        if (layout.Resolvers.Count > 0)
        {
            script.AppendLine(CultureInfo.InvariantCulture, $"    ip daddr {{ {string.Join(", ", layout.Resolvers)} }} udp dport 53 accept");
        }

        script.AppendLine("    jump unreachable");
        script.AppendLine("  }");
        script.AppendLine("  chain prerouting {");
        script.AppendLine("    type nat hook prerouting priority dstnat; policy accept;");
        script.AppendLine(CultureInfo.InvariantCulture, $"    ip saddr @proxied tcp dport {{ 80, 443 }} dnat ip to {layout.Gateway}:{layout.ProxyPort}");
        script.AppendLine("  }");
        script.AppendLine("  chain postrouting {");
        script.AppendLine("    type nat hook postrouting priority srcnat; policy accept;");
        script.AppendLine(CultureInfo.InvariantCulture, $"    ip saddr {layout.Pool} oifname \"{layout.Uplink}\" masquerade");
        script.AppendLine("  }");
        script.AppendLine("}");
        foreach (var (address, policy) in sandboxes)
        {
            AppendSandbox(script, address, policy);
        }

        return ApplyAsync(script.ToString(), cancellationToken);
    }

    /// <summary>Sets one sandbox's rules (an open policy removes them), atomically.</summary>
    public Task SetAsync(IPAddress address, EgressPolicy policy, CancellationToken cancellationToken)
    {
        var script = new StringBuilder();
        AppendSandbox(script, address, policy);
        return ApplyAsync(script.ToString(), cancellationToken);
    }

    /// <summary>Removes one sandbox's rules, if it has any.</summary>
    public Task RemoveAsync(IPAddress address, CancellationToken cancellationToken) => SetAsync(address, EgressPolicy.Open, cancellationToken);

    /// <summary>Removes the table; true if it was there.</summary>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync($"delete table inet {table}\n", cancellationToken);
        return result.ExitCode == 0;
    }

    private void AppendSandbox(StringBuilder script, IPAddress address, EgressPolicy policy)
    {
        var chain = ChainOf(address);
        script.AppendLine(CultureInfo.InvariantCulture, $"add chain inet {table} {chain}");
        script.AppendLine(CultureInfo.InvariantCulture, $"add element inet {table} egress {{ {address} : jump {chain} }}");
        script.AppendLine(CultureInfo.InvariantCulture, $"add element inet {table} proxied {{ {address} }}");
        if (policy.IsOpen)
        {
            script.AppendLine(CultureInfo.InvariantCulture, $"delete element inet {table} egress {{ {address} }}");
            script.AppendLine(CultureInfo.InvariantCulture, $"delete element inet {table} proxied {{ {address} }}");
            script.AppendLine(CultureInfo.InvariantCulture, $"delete chain inet {table} {chain}");
            return;
        }

        script.AppendLine(CultureInfo.InvariantCulture, $"flush chain inet {table} {chain}");
        if (policy.AllowCidrs.Count > 0)
        {
            script.AppendLine(CultureInfo.InvariantCulture, $"add rule inet {table} {chain} ip daddr {{ {Elements(policy.AllowCidrs)} }} accept");
        }

        if (policy.DenyCidrs.Count > 0)
        {
            script.AppendLine(CultureInfo.InvariantCulture, $"add rule inet {table} {chain} ip daddr {{ {Elements(policy.DenyCidrs)} }} drop");
        }

        if (!policy.HasDomains)
        {
            script.AppendLine(CultureInfo.InvariantCulture, $"delete element inet {table} proxied {{ {address} }}");
        }
    }

    private static string ChainOf(IPAddress address) => "s" + Ipv4Range.ToUInt32(address).ToString("x8", CultureInfo.InvariantCulture);

    // CIDR blocks either nest or do not touch: keeping the outermost of each nest makes an anonymous set nft accepts.
    private static string Elements(IEnumerable<Ipv4Range> ranges)
    {
        var sorted = ranges.Distinct().OrderBy(r => r.PrefixLength).ToList();
        var kept = new List<Ipv4Range>();
        foreach (var range in sorted)
        {
            if (!kept.Any(k => k.Contains(range.Network)))
            {
                kept.Add(range);
            }
        }

        return string.Join(", ", kept.Select(r => r.ToString()));
    }

    private async Task ApplyAsync(string script, CancellationToken cancellationToken)
    {
        var result = await RunAsync(script, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft refused the sandbox firewall: {result.Error.Trim()}");
        }
    }

    private async Task<(int ExitCode, string Error)> RunAsync(string script, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(nftPath, ["-f", "-"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start nft");
        await process.StandardInput.WriteAsync(script.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await output;
        return (process.ExitCode, error);
    }
}

/// <summary>What the base ruleset is built from.</summary>
internal sealed record FirewallLayout(
    Ipv4Range Pool,
    IPAddress Gateway,
    string Uplink,
    string InterfacePrefix,
    int Mark,
    int ProxyPort,
    bool GuardUplink,
    IReadOnlyList<IPAddress> Resolvers,
    IReadOnlyList<Ipv4Range> Allowed,
    IReadOnlyList<Ipv4Range> Denied);
