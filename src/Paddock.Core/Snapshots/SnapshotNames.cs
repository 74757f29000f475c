using System.Text.RegularExpressions;
using Paddock.Core.Errors;

namespace Paddock.Core.Snapshots;

/// <summary>
/// E2B's snapshot ids and names: unnamed, <c>&lt;20 [a-z0-9]&gt;:default</c>; named, <c>[slug/]alias[:tag]</c>
/// lower-cased, the id with its tag (<c>default</c> when none is given) and the name without it.
/// </summary>
public static partial class SnapshotNames
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>The id and names of a new snapshot named <paramref name="name"/> (or unnamed).</summary>
    public static (string Id, IReadOnlyList<string> Names) For(string? name)
    {
        if (name is null)
        {
            return (System.Security.Cryptography.RandomNumberGenerator.GetString(Alphabet, 20) + ":default", []);
        }

        var lowered = name.Trim().ToLowerInvariant();
        var colon = lowered.LastIndexOf(':');
        var bare = colon < 0 ? lowered : lowered[..colon];
        var tag = colon < 0 ? "default" : lowered[(colon + 1)..];
        var slash = bare.IndexOf('/', StringComparison.Ordinal);
        var alias = slash < 0 ? bare : bare[(slash + 1)..];
        if (!Identifier().IsMatch(alias) || (slash >= 0 && !Identifier().IsMatch(bare[..slash])) || !Tag().IsMatch(tag) || Guid.TryParse(tag, out _))
        {
            throw new PaddockException(ErrorKind.InvalidArgument, $"Invalid name: '{name}' (a name is [namespace/]alias[:tag] of a-z, 0-9, '-' and '_'; a tag may also hold '.')");
        }

        return ($"{bare}:{tag}", [bare]);
    }

    /// <summary>Whether <paramref name="reference"/> (an id, a name, or <c>name:tag</c>) names <paramref name="snapshot"/>.</summary>
    public static bool Matches(SnapshotRecord snapshot, string reference) =>
        snapshot.Id == reference || snapshot.Id == reference + ":default" || snapshot.Names.Contains(reference);

    [GeneratedRegex("^[a-z0-9-_]+$")]
    private static partial Regex Identifier();

    [GeneratedRegex("^[a-z0-9-_.]+$")]
    private static partial Regex Tag();
}
