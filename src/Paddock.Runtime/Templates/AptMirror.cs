namespace Paddock.Runtime.Templates;

/// <summary>
/// The Debian mirror the host's apt is configured with, so a template is built from the same
/// registry the host uses (no mirror is written into Paddock).
/// </summary>
internal static class AptMirror
{
    public static string Detect(string suite, string sourcesDir = "/etc/apt/sources.list.d", string sourcesList = "/etc/apt/sources.list")
    {
        var candidates = new List<(string Uri, IReadOnlyList<string> Suites)>();
        if (Directory.Exists(sourcesDir))
        {
            foreach (var file in Directory.EnumerateFiles(sourcesDir, "*.sources").Order(StringComparer.Ordinal))
            {
                candidates.AddRange(ParseDeb822(File.ReadAllText(file)));
            }
        }

        if (File.Exists(sourcesList))
        {
            candidates.AddRange(ParseOneLine(File.ReadAllLines(sourcesList)));
        }

        foreach (var (uri, suites) in candidates)
        {
            if (suites.Contains(suite) && !uri.Contains("security", StringComparison.Ordinal))
            {
                return uri;
            }
        }

        throw new InvalidOperationException(
            $"No apt source for Debian '{suite}' is configured on this host ({sourcesDir}/*.sources or {sourcesList}); "
            + "the base template is built from the host's configured Debian mirror.");
    }

    internal static IEnumerable<(string Uri, IReadOnlyList<string> Suites)> ParseDeb822(string text)
    {
        foreach (var stanza in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in stanza.Split('\n'))
            {
                if (line.StartsWith('#') || !line.Contains(':', StringComparison.Ordinal))
                {
                    continue;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }

            if (fields.TryGetValue("Types", out var types) && types.Split(' ').Contains("deb")
                && fields.TryGetValue("URIs", out var uris) && fields.TryGetValue("Suites", out var suites)
                && !(fields.TryGetValue("Enabled", out var enabled) && enabled == "no"))
            {
                var suiteList = suites.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                foreach (var uri in uris.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return (uri, suiteList);
                }
            }
        }
    }

    internal static IEnumerable<(string Uri, IReadOnlyList<string> Suites)> ParseOneLine(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (!line.StartsWith("deb ", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line[4..].Trim();
            if (parts.StartsWith('['))
            {
                var close = parts.IndexOf(']', StringComparison.Ordinal);
                parts = close < 0 ? string.Empty : parts[(close + 1)..].Trim();
            }

            var words = parts.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 2)
            {
                yield return (words[0], [words[1]]);
            }
        }
    }
}
