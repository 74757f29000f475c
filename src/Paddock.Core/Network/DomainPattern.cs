namespace Paddock.Core.Network;

/// <summary>
/// A domain in <c>allowOut</c>, matched as E2B matches it: an exact name case-insensitively, <c>*</c> any
/// name, <c>*.example.com</c> the subdomains of <c>example.com</c> but not <c>example.com</c> itself.
/// </summary>
public sealed record DomainPattern(string Suffix, bool Wildcard)
{
    /// <summary>Whether <paramref name="entry"/> can be a domain rule.</summary>
    public static bool IsValid(string entry)
    {
        if (entry == "*")
        {
            return true;
        }

        var name = entry.StartsWith("*.", StringComparison.Ordinal) ? entry[2..] : entry;
        return name.Length is > 0 and <= 253
            && name.Split('.').All(label => label.Length is > 0 and <= 63
                && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }

    /// <summary>Parses a valid entry (see <see cref="IsValid"/>).</summary>
    public static DomainPattern Parse(string entry) => entry switch
    {
        "*" => new DomainPattern(string.Empty, Wildcard: true),
        _ when entry.StartsWith("*.", StringComparison.Ordinal) => new DomainPattern(entry[2..].ToLowerInvariant(), Wildcard: true),
        _ => new DomainPattern(entry.ToLowerInvariant(), Wildcard: false),
    };

    /// <summary>Whether a connection that asked for <paramref name="host"/> (SNI or HTTP Host, no port) matches.</summary>
    public bool Matches(string host)
    {
        host = host.TrimEnd('.');
        if (Wildcard)
        {
            return Suffix.Length == 0
                || (host.Length > Suffix.Length + 1
                    && host.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase)
                    && host[host.Length - Suffix.Length - 1] == '.');
        }

        return string.Equals(host, Suffix, StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public override string ToString() => Wildcard ? (Suffix.Length == 0 ? "*" : "*." + Suffix) : Suffix;
}
