using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>The sandbox's files: transfers over envd's <c>/files</c>, the rest over <c>filesystem.Filesystem</c>.</summary>
public class Files
{
    private const string Service = "filesystem.Filesystem";
    private readonly EnvdTransport _transport;

    internal Files(EnvdTransport transport) => _transport = transport;

    /// <summary>For test doubles (mocking libraries), which override the members they use.</summary>
    protected Files() => _transport = null!;

    /// <summary>
    /// Writes text to a file (creating parent directories, replacing what was there). <paramref name="metadata"/>
    /// (keys are lowercased) is kept with the file and comes back in its <see cref="EntryInfo.Metadata"/>; writing
    /// the file again replaces it. As with E2B's daemon, the sandbox's daemon writes the file itself and gives it
    /// to <paramref name="user"/> (the sandbox's default user when null): the user's own permissions are not
    /// checked, so a path the user's shell could not write (e.g. under <c>/etc</c>) is written too.
    /// </summary>
    /// <param name="path">Absolute, or relative to the user's home.</param>
    /// <param name="content">The text, written as UTF-8.</param>
    /// <param name="user">Who owns the file; the sandbox's default user when null.</param>
    /// <param name="metadata">Labels kept with the file.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The written file's entry.</returns>
    /// <exception cref="NotEnoughSpaceException">The sandbox's disk quota is used up.</exception>
    /// <exception cref="InvalidArgumentException">The path is a directory or not valid.</exception>
    public virtual Task<EntryInfo> WriteAsync(
        string path, string content, string? user = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
        WriteAsync(path, new MemoryStream(Encoding.UTF8.GetBytes(content)), user, metadata, cancellationToken);

    /// <summary>Writes bytes to a file, with optional metadata (see the text overload).</summary>
    public virtual Task<EntryInfo> WriteAsync(
        string path, byte[] content, string? user = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
        WriteAsync(path, new MemoryStream(content), user, metadata, cancellationToken);

    /// <summary>
    /// Writes a stream to a file, with optional metadata (see the text overload); the stream is sent as it is
    /// read, never held whole in memory.
    /// </summary>
    public virtual async Task<EntryInfo> WriteAsync(
        string path, Stream content, string? user = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        using var request = _transport.Request(HttpMethod.Post, EnvdTransport.EnvdPort, "files?" + Query(path, user));
        request.Content = new StreamContent(content);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            request.Headers.Add("X-Metadata-" + key, value);
        }

        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, path, cancellationToken).ConfigureAwait(false);
        return await GetInfoAsync(path, user, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a file as UTF-8 text.</summary>
    public virtual async Task<string> ReadAsync(string path, string? user = null, CancellationToken cancellationToken = default) =>
        Encoding.UTF8.GetString(await ReadBytesAsync(path, user, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads a file's bytes.</summary>
    public virtual async Task<byte[]> ReadBytesAsync(string path, string? user = null, CancellationToken cancellationToken = default)
    {
        await using var stream = await OpenReadAsync(path, user, cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Opens a file for reading as it downloads; dispose the stream when done.</summary>
    public virtual async Task<Stream> OpenReadAsync(string path, string? user = null, CancellationToken cancellationToken = default)
    {
        var request = _transport.Request(HttpMethod.Get, EnvdTransport.EnvdPort, "files?" + Query(path, user));
        var response = await _transport.SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        try
        {
            await ThrowIfFailedAsync(response, path, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }
        finally
        {
            request.Dispose();
        }
    }

    /// <summary>The entries of a directory, recursively down to <paramref name="depth"/> levels.</summary>
    public virtual async Task<IReadOnlyList<EntryInfo>> ListAsync(string path, int depth = 1, string? user = null, CancellationToken cancellationToken = default)
    {
        var json = await _transport.UnaryAsync(Service, "ListDir", new JsonObject { ["path"] = path, ["depth"] = depth }, user, cancellationToken).ConfigureAwait(false);
        return (json["entries"] as JsonArray ?? []).Select(e => EntryInfo.FromJson(e!)).ToList();
    }

    /// <summary>Whether a path exists.</summary>
    public virtual async Task<bool> ExistsAsync(string path, string? user = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await GetInfoAsync(path, user, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SandboxFileNotFoundException)
        {
            return false;
        }
    }

    /// <summary>What a path is; <see cref="SandboxFileNotFoundException"/> when it does not exist.</summary>
    public virtual async Task<EntryInfo> GetInfoAsync(string path, string? user = null, CancellationToken cancellationToken = default) =>
        EntryInfo.FromJson((await _transport.UnaryAsync(Service, "Stat", new JsonObject { ["path"] = path }, user, cancellationToken).ConfigureAwait(false))["entry"]!);

    /// <summary>Creates a directory and its parents: true, or false when it already existed.</summary>
    public virtual async Task<bool> MakeDirAsync(string path, string? user = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await _transport.UnaryAsync(Service, "MakeDir", new JsonObject { ["path"] = path }, user, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (InvalidArgumentException ex) when (ex.Code == "already_exists")
        {
            return false;
        }
    }

    /// <summary>Removes a file or a directory with everything in it (a missing path is fine).</summary>
    public virtual async Task RemoveAsync(string path, string? user = null, CancellationToken cancellationToken = default) =>
        await _transport.UnaryAsync(Service, "Remove", new JsonObject { ["path"] = path }, user, cancellationToken).ConfigureAwait(false);

    /// <summary>Moves or renames a file or directory.</summary>
    public virtual async Task<EntryInfo> RenameAsync(string oldPath, string newPath, string? user = null, CancellationToken cancellationToken = default) =>
        EntryInfo.FromJson((await _transport.UnaryAsync(Service, "Move", new JsonObject { ["source"] = oldPath, ["destination"] = newPath }, user, cancellationToken).ConfigureAwait(false))["entry"]!);

    /// <summary>The changes in a directory as they happen, until <paramref name="cancellationToken"/> is cancelled.</summary>
    public virtual async IAsyncEnumerable<FilesystemEvent> WatchDirAsync(string path, bool recursive = false, string? user = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["path"] = path, ["recursive"] = recursive };
        await foreach (var message in _transport.StreamAsync(Service, "WatchDir", request, user, null, cancellationToken).ConfigureAwait(false))
        {
            if (message["filesystem"] is JsonObject change)
            {
                var type = change["type"]?.GetValue<string>() ?? string.Empty;
                yield return new FilesystemEvent(change["name"]?.GetValue<string>() ?? string.Empty, type.Replace("EVENT_TYPE_", string.Empty, StringComparison.Ordinal).ToLowerInvariant());
            }
        }
    }

    private static string Query(string path, string? user) =>
        "path=" + Uri.EscapeDataString(path) + (user is null ? string.Empty : "&username=" + Uri.EscapeDataString(user));

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var message = text.Length > 0 && text[0] == '{' ? JsonNode.Parse(text)?["message"]?.GetValue<string>() ?? text : text;
        throw response.StatusCode == HttpStatusCode.NotFound
            ? new SandboxFileNotFoundException($"{path}: {message}") { StatusCode = 404 }
            : ControlPlane.Error(response.StatusCode, message);
    }
}
