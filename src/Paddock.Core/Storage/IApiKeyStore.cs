namespace Paddock.Core.Storage;

/// <summary>Hashes of the API keys the server accepts. Keys themselves are never stored.</summary>
public interface IApiKeyStore
{
    /// <summary>Every stored key hash.</summary>
    Task<IReadOnlyList<string>> ListHashesAsync(CancellationToken cancellationToken);

    /// <summary>Stores a key hash (no-op if it is already there).</summary>
    Task AddHashAsync(string hash, string label, CancellationToken cancellationToken);
}
