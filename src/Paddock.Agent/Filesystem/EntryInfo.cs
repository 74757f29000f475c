using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Paddock.Agent.Filesystem;

/// <summary>envd's <c>EntryInfo</c> of a file, directory or symlink, in proto-JSON form.</summary>
internal static class EntryInfo
{
    public static JsonObject Of(FileSystemInfo info)
    {
        info.Refresh();
        var isLink = info.LinkTarget is not null;
        var type = isLink ? "FILE_TYPE_SYMLINK" : info is DirectoryInfo || Directory.Exists(info.FullName) ? "FILE_TYPE_DIRECTORY" : "FILE_TYPE_FILE";
        var mode = (int)info.UnixFileMode & 0x1FF;
        var (uid, gid) = Native.Owner(info.FullName);
        var entry = new JsonObject
        {
            ["name"] = info.Name,
            ["type"] = type,
            ["path"] = info.FullName,
            ["size"] = (info is FileInfo file && !isLink ? file.Length : 0).ToString(CultureInfo.InvariantCulture),
            ["mode"] = mode,
            ["permissions"] = Permissions(type, mode),
            ["owner"] = Names.User(uid),
            ["group"] = Names.Group(gid),
            ["modifiedTime"] = info.LastWriteTimeUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        };
        if (isLink)
        {
            entry["symlinkTarget"] = info.LinkTarget;
        }

        if (FileMetadata.Read(info.FullName) is { } metadata)
        {
            entry["metadata"] = FileMetadata.ToJson(metadata);
        }

        return entry;
    }

    private static string Permissions(string type, int mode)
    {
        var text = new StringBuilder(type switch { "FILE_TYPE_DIRECTORY" => "d", "FILE_TYPE_SYMLINK" => "L", _ => "-" });
        for (var shift = 6; shift >= 0; shift -= 3)
        {
            text.Append((mode >> shift & 4) != 0 ? 'r' : '-');
            text.Append((mode >> shift & 2) != 0 ? 'w' : '-');
            text.Append((mode >> shift & 1) != 0 ? 'x' : '-');
        }

        return text.ToString();
    }
}

/// <summary>User and group names of ids, from the sandbox's passwd and group files.</summary>
internal static class Names
{
    public static string User(int uid) => Lookup("/etc/passwd", uid);

    public static string Group(int gid) => Lookup("/etc/group", gid);

    private static string Lookup(string file, int id)
    {
        var text = id.ToString(CultureInfo.InvariantCulture);
        foreach (var line in File.ReadLines(file))
        {
            var fields = line.Split(':');
            if (fields.Length > 2 && fields[2] == text)
            {
                return fields[0];
            }
        }

        return text;
    }
}
