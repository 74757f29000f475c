using System.Net;

namespace Paddock.Core.Network;

/// <summary>
/// The outbound rules the host enforces for one sandbox, with E2B's precedence: a domain the connection
/// asked for (TLS SNI on port 443, HTTP Host on port 80) that an allowed domain matches lets it through;
/// else an allowed CIDR holding its address; else a denied CIDR holding it blocks it; else it goes through.
/// Ranges the server never lets a sandbox reach are checked before any of this, by the host.
/// </summary>
public sealed record EgressPolicy(IReadOnlyList<Ipv4Range> AllowCidrs, IReadOnlyList<Ipv4Range> DenyCidrs, IReadOnlyList<DomainPattern> AllowDomains)
{
    /// <summary>Everything goes through (the internet, no rules).</summary>
    public static readonly EgressPolicy Open = new([], [], []);

    /// <summary>Nothing goes through.</summary>
    public static readonly EgressPolicy Closed = new([], [Ipv4Range.All], []);

    /// <summary>Whether no rule applies: the host then needs nothing but its fixed ranges for this sandbox.</summary>
    public bool IsOpen => AllowCidrs.Count == 0 && DenyCidrs.Count == 0 && AllowDomains.Count == 0;

    /// <summary>Whether connections must be looked into for the name they ask for.</summary>
    public bool HasDomains => AllowDomains.Count > 0;

    /// <summary>
    /// Whether the sandbox may resolve <paramref name="name"/> through the host's resolver. Resolving is
    /// itself a way out (a name can carry data to whoever answers for it), so a sandbox that may not reach
    /// everything resolves only names an allowed domain matches.
    /// </summary>
    public bool MayResolve(string name) => !DeniesEverything || AllowDomains.Any(domain => domain.Matches(name));

    /// <summary>Whether the denied blocks together hold every address (<c>0.0.0.0/0</c>, or two /1s, …).</summary>
    public bool DeniesEverything => Covered(DenyCidrs) == 1L << 32;

    /// <summary>Whether a connection to <paramref name="address"/> that named no host (or an unmatched one) goes through.</summary>
    public bool Allows(IPAddress address) =>
        AllowCidrs.Any(range => range.Contains(address)) || !DenyCidrs.Any(range => range.Contains(address));

    // Blocks either nest or do not touch: the outermost ones add up to what all of them hold.
    private static long Covered(IReadOnlyList<Ipv4Range> ranges)
    {
        var outermost = new List<Ipv4Range>();
        foreach (var range in ranges.OrderBy(r => r.PrefixLength))
        {
            if (!outermost.Any(o => o.Contains(range.Network)))
            {
                outermost.Add(range);
            }
        }

        return outermost.Sum(r => r.Size);
    }

    /// <summary>Whether a connection that asked for <paramref name="host"/> matches an allowed domain.</summary>
    public bool AllowsHost(string? host) => host is { Length: > 0 } && AllowDomains.Any(domain => domain.Matches(host));
}
