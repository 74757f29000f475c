namespace Paddock.Bench;

/// <summary>Sections of bench/RESULTS.md that one run of the bench rewrites while keeping the others.</summary>
internal static class ResultsFile
{
    public const string DensityHeading = "## Density: thousands of sandboxes on one host";

    /// <summary>Written by hand, never by the bench: every rewrite keeps it.</summary>
    public const string TrustBoundaryHeading = "## The trust boundary: before and after";

    /// <summary>The section under <paramref name="heading"/> (the heading included) up to the next one, if there is one.</summary>
    public static string? Section(string document, string heading)
    {
        var start = document.IndexOf(heading, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var end = document.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return (end < 0 ? document[start..] : document[start..(end + 1)]).TrimEnd() + "\n";
    }

    /// <summary><paramref name="document"/> with its section under <paramref name="heading"/> replaced by <paramref name="section"/>, or added before <paramref name="before"/>.</summary>
    public static string WithSection(string document, string heading, string section, string before)
    {
        if (Section(document, heading) is { } old)
        {
            return document.Replace(old, section.TrimEnd() + "\n", StringComparison.Ordinal);
        }

        var at = document.IndexOf(before, StringComparison.Ordinal);
        return at < 0
            ? document.TrimEnd() + "\n\n" + section.TrimEnd() + "\n"
            : document[..at] + section.TrimEnd() + "\n\n" + document[at..];
    }
}
