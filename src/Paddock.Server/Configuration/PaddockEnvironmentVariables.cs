using System.Collections;
using System.Text;

namespace Paddock.Server.Configuration;

/// <summary>
/// Maps <c>PADDOCK_SNAKE_CASE</c> environment variables onto <c>Paddock:PascalCase</c> settings, so
/// every setting has an environment form (<c>PADDOCK_DATA_DIR</c> → <c>Paddock:DataDir</c>) next to
/// ASP.NET Core's own <c>Paddock__DataDir</c>.
/// </summary>
internal sealed class PaddockEnvironmentVariables : IConfigurationSource
{
    /// <summary>Command-line flags and the settings they set.</summary>
    public static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "Paddock:DataDir",
        ["--templates-dir"] = "Paddock:TemplatesDir",
        ["--api-key"] = "Paddock:ApiKey",
        ["--max-lifetime"] = "Paddock:MaxLifetime",
        ["--paused-retention"] = "Paddock:PausedRetention",
        ["--max-sandboxes"] = "Paddock:MaxSandboxes",
    };

    private const string Prefix = "PADDOCK_";

    // Settings of a section under Paddock: PADDOCK_STORE_PROVIDER → Paddock:Store:Provider.
    private static readonly string[] s_sections = ["Store", "Network"];

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider();

    internal static string? KeyOf(string variable)
    {
        if (!variable.StartsWith(Prefix, StringComparison.Ordinal) || variable.Length == Prefix.Length)
        {
            return null;
        }

        var name = new StringBuilder("Paddock:");
        var words = variable[Prefix.Length..].Split('_', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length > 1 && s_sections.FirstOrDefault(s => s.Equals(words[0], StringComparison.OrdinalIgnoreCase)) is { } section)
        {
            name.Append(section).Append(':');
            words = words[1..];
        }

        foreach (var word in words)
        {
            // Units keep their usual spelling: MEMORY_MB → MemoryMB.
            name.Append(word == "MB" ? "MB" : char.ToUpperInvariant(word[0]) + word[1..].ToLowerInvariant());
        }

        return name.ToString();
    }

    private sealed class Provider : ConfigurationProvider
    {
        public override void Load()
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                if (KeyOf((string)entry.Key) is { } key)
                {
                    data[key] = (string?)entry.Value;
                }
            }

            Data = data;
        }
    }
}
