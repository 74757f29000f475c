using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Paddock.Agent.Filesystem;

/// <summary>
/// envd's <c>EntryInfo</c> of a file, directory or symlink, in proto-JSON form, as envd builds it: name, size,
/// permissions, owner and time of the path itself (<c>lstat</c>); for a symlink, the type and permission bits of what
/// it finally points to and <c>symlinkTarget</c> as that target's canonical absolute path (a dangling link: its own
/// path and type unspecified). envd never reports <c>FILE_TYPE_SYMLINK</c>, which older SDKs cannot even parse.
/// </summary>
internal static class EntryInfo
{
    public static JsonObject Of(FileSystemInfo info)
    {
        var path = info.FullName;
        var self = Native.Stat(path, followLinks: false) ?? throw new FileNotFoundException($"file not found: {path}", path);
        string type;
        var mode = self.Permissions;
        string? symlinkTarget = null;
        if (self.IsSymlink)
        {
            symlinkTarget = Native.RealPath(path) ?? path;
            var target = Native.Stat(path, followLinks: true);
            type = target is null ? "FILE_TYPE_UNSPECIFIED" : target.Value.IsDirectory ? "FILE_TYPE_DIRECTORY" : "FILE_TYPE_FILE";
            mode = target?.Permissions ?? 0;
        }
        else
        {
            type = self.IsDirectory ? "FILE_TYPE_DIRECTORY" : "FILE_TYPE_FILE";
        }

        var entry = new JsonObject
        {
            ["name"] = info.Name,
            ["type"] = type,
            ["path"] = path,
            ["size"] = self.Size.ToString(CultureInfo.InvariantCulture),
            ["mode"] = mode,
            ["permissions"] = Permissions(self),
            ["owner"] = Names.User(self.Uid),
            ["group"] = Names.Group(self.Gid),
            ["modifiedTime"] = self.ModifiedUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        };
        if (symlinkTarget is not null)
        {
            entry["symlinkTarget"] = symlinkTarget;
        }

        if (FileMetadata.Read(path) is { } metadata)
        {
            entry["metadata"] = FileMetadata.ToJson(metadata);
        }

        return entry;
    }

    // Go's FileMode.String() of the path itself, as envd gives it: "-rw-r--r--", "drwxr-xr-x", "Lrwxrwxrwx".
    private static string Permissions(FileStat stat)
    {
        var text = new StringBuilder(stat.IsDirectory ? "d" : stat.IsSymlink ? "L" : "-");
        for (var shift = 6; shift >= 0; shift -= 3)
        {
            text.Append((stat.Permissions >> shift & 4) != 0 ? 'r' : '-');
            text.Append((stat.Permissions >> shift & 2) != 0 ? 'w' : '-');
            text.Append((stat.Permissions >> shift & 1) != 0 ? 'x' : '-');
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
