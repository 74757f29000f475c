namespace Paddock.Client;

/// <summary>
/// What a sandbox's outbound traffic may reach, as E2B defines it. An allowed entry always goes through
/// (allow beats deny); a denied one is blocked; everything else goes through. Whatever these say, a sandbox
/// never reaches the host, other sandboxes, link-local (cloud metadata) or private addresses the server's
/// operator did not open.
/// </summary>
public sealed record SandboxNetwork
{
    /// <summary>E2B's name for "every address", for <see cref="DenyOut"/>.</summary>
    public const string AllTraffic = "0.0.0.0/0";

    /// <summary>
    /// IPv4 addresses, CIDR blocks and domains always let through. A domain (<c>api.example.com</c>,
    /// <c>*.example.com</c> for its subdomains, <c>*</c>) is matched on what a connection to port 443 (TLS
    /// server name) or 80 (HTTP Host) asks for, and needs <see cref="AllTraffic"/> in <see cref="DenyOut"/>.
    /// </summary>
    public IReadOnlyList<string> AllowOut { get; init; } = [];

    /// <summary>IPv4 addresses and CIDR blocks blocked unless <see cref="AllowOut"/> lets them through.</summary>
    public IReadOnlyList<string> DenyOut { get; init; } = [];
}
