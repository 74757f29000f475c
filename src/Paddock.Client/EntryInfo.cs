using System.Globalization;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>A file, directory or symlink in the sandbox.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Path">Its absolute path.</param>
/// <param name="Type">File, directory or symlink.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Mode">Its permission bits (e.g. 0o644).</param>
/// <param name="Permissions">Its permissions as <c>ls -l</c> shows them.</param>
/// <param name="Owner">Its owner's name.</param>
/// <param name="Group">Its group's name.</param>
/// <param name="ModifiedTime">When it last changed.</param>
/// <param name="SymlinkTarget">Where a symlink points.</param>
/// <param name="Metadata">The metadata it was uploaded with (E2B's <c>X-Metadata-*</c> headers), if any.</param>
public sealed record EntryInfo(
    string Name,
    string Path,
    EntryType Type,
    long Size,
    int Mode,
    string Permissions,
    string Owner,
    string Group,
    DateTimeOffset? ModifiedTime,
    string? SymlinkTarget,
    IReadOnlyDictionary<string, string> Metadata)
{
    internal static EntryInfo FromJson(JsonNode json) => new(
        json["name"]!.GetValue<string>(),
        json["path"]!.GetValue<string>(),
        json["type"]?.GetValue<string>() switch
        {
            "FILE_TYPE_DIRECTORY" => EntryType.Directory,
            "FILE_TYPE_SYMLINK" => EntryType.Symlink,
            _ => EntryType.File,
        },
        long.Parse(json["size"]?.ToString() ?? "0", CultureInfo.InvariantCulture),
        json["mode"]?.GetValue<int>() ?? 0,
        json["permissions"]?.GetValue<string>() ?? string.Empty,
        json["owner"]?.GetValue<string>() ?? string.Empty,
        json["group"]?.GetValue<string>() ?? string.Empty,
        json["modifiedTime"]?.GetValue<string>() is { } time ? DateTimeOffset.Parse(time, CultureInfo.InvariantCulture) : null,
        json["symlinkTarget"]?.GetValue<string>(),
        (json["metadata"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? string.Empty, StringComparer.Ordinal));
}

/// <summary>What kind of entry an <see cref="EntryInfo"/> is.</summary>
public enum EntryType
{
    /// <summary>A regular file.</summary>
    File,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link.</summary>
    Symlink,
}

/// <summary>A change in a watched directory.</summary>
/// <param name="Name">The changed entry's path relative to the watched directory.</param>
/// <param name="Type">What happened: create, write, remove, rename or chmod.</param>
public sealed record FilesystemEvent(string Name, string Type);
