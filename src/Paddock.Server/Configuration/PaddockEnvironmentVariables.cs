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
    private const string Prefix = "PADDOCK_";

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider();

    internal static string? KeyOf(string variable)
    {
        if (!variable.StartsWith(Prefix, StringComparison.Ordinal) || variable.Length == Prefix.Length)
        {
            return null;
        }

        var name = new StringBuilder("Paddock:");
        foreach (var word in variable[Prefix.Length..].Split('_', StringSplitOptions.RemoveEmptyEntries))
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
