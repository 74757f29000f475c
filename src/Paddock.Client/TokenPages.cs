using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>
/// E2B's paging, as its list endpoints answer it: a JSON array per page and the token of the next page in the
/// <c>X-Next-Token</c> header (none after the last). The public paginators put their own query in front of it.
/// </summary>
internal sealed class TokenPages<T>(ControlPlane api, Func<string?, string> pathWithToken, Func<JsonNode, T> parse)
{
    private string? _nextToken;

    public bool HasNext { get; private set; } = true;

    public async Task<IReadOnlyList<T>> NextAsync(CancellationToken cancellationToken)
    {
        if (!HasNext)
        {
            throw new InvalidOperationException("there are no more pages");
        }

        var (_, body, headers) = await api.SendAsync(HttpMethod.Get, pathWithToken(_nextToken), null, cancellationToken).ConfigureAwait(false);
        _nextToken = headers.TryGetValues("X-Next-Token", out var values) ? values.FirstOrDefault() : null;
        HasNext = !string.IsNullOrEmpty(_nextToken);
        return (body as JsonArray ?? []).Select(item => parse(item!)).ToList();
    }

    public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken)
    {
        while (HasNext)
        {
            foreach (var item in await NextAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
    }
}
