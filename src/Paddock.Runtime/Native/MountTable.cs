namespace Paddock.Runtime.Native;

/// <summary>Reads the host's mount table (<c>/proc/self/mountinfo</c>).</summary>
internal static class MountTable
{
    /// <summary>Mount points at or below <paramref name="root"/>, deepest first (the order to unmount them).</summary>
    public static IReadOnlyList<string> MountPointsUnder(string root)
    {
        var prefix = root.TrimEnd('/') + "/";
        return File.ReadLines("/proc/self/mountinfo")
            .Select(line => Unescape(line.Split(' ')[4]))
            .Where(p => p == root.TrimEnd('/') || p.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(p => p.Length)
            .ToList();
    }

    public static bool IsMountPoint(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(line => Unescape(line.Split(' ')[4]) == path.TrimEnd('/'));

    // mountinfo escapes space, tab, newline and backslash as octal.
    private static string Unescape(string field) => field.Contains('\\', StringComparison.Ordinal)
        ? field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal)
        : field;
}
