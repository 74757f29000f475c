using System.Security.Cryptography;
using System.Text;
using Paddock.Core.Storage;

namespace Paddock.Server.Auth;

/// <summary>
/// The API keys the server accepts, in E2B's format (<c>e2b_</c> + 40 lowercase hex). Only SHA-256
/// hashes are stored; a generated key is shown once, on the first start.
/// </summary>
internal sealed class ApiKeys(IApiKeyStore store, ILogger<ApiKeys> logger)
{
    private static readonly System.Buffers.SearchValues<char> s_lowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    private volatile HashSet<string> _hashes = [];

    public static bool IsWellFormed(string key) =>
        key.Length == 44 && key.StartsWith("e2b_", StringComparison.Ordinal)
        && !key.AsSpan(4).ContainsAnyExcept(s_lowerHex);

    public static string Generate() => "e2b_" + RandomNumberGenerator.GetHexString(40, lowercase: true);

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public async Task InitializeAsync(string? fixedKey, CancellationToken cancellationToken)
    {
        if (fixedKey is not null)
        {
            await store.AddHashAsync(Hash(fixedKey), "PADDOCK_API_KEY", cancellationToken);
        }
        else if ((await store.ListHashesAsync(cancellationToken)).Count == 0)
        {
            var key = Generate();
            await store.AddHashAsync(Hash(key), "generated at first start", cancellationToken);

            // Shown once, on the console only: the server keeps no copy it could show again.
            Console.WriteLine();
            Console.WriteLine("  Paddock created an API key. It is shown only this once; keep it:");
            Console.WriteLine();
            Console.WriteLine($"      {key}");
            Console.WriteLine();
            Console.WriteLine("  Send it as the X-API-Key header (E2B's SDKs read it from E2B_API_KEY).");
            Console.WriteLine();
            logger.LogInformation("Created the first API key (printed above; only its hash is stored)");
        }

        _hashes = [.. await store.ListHashesAsync(cancellationToken)];
    }

    public bool IsValid(string? key) => key is not null && IsWellFormed(key) && _hashes.Contains(Hash(key));
}
