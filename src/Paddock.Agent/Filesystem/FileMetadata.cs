using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace Paddock.Agent.Filesystem;

/// <summary>
/// User metadata of a file, as envd keeps it: each <c>X-Metadata-&lt;key&gt;</c> header of an upload becomes
/// the extended attribute <c>user.e2b.&lt;key&gt;</c> (key lowercased), and entries report them back.
/// </summary>
internal static partial class FileMetadata
{
    public const string HeaderPrefix = "X-Metadata-";
    private const string AttributePrefix = "user.e2b.";
    private const int MaxKeyBytes = 246;
    private const int MaxTotalBytes = 4096;

    /// <summary>The metadata an upload's headers carry; an error message when they break envd's limits.</summary>
    public static (Dictionary<string, string> Metadata, string? Error) FromHeaders(IHeaderDictionary headers)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var total = 0;
        foreach (var (name, values) in headers)
        {
            if (!name.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var key = name[HeaderPrefix.Length..].ToLowerInvariant();
            var value = values.ToString();
            if (key.Length == 0 || key.Length > MaxKeyBytes || !IsPrintableAscii(key) || !IsPrintableAscii(value))
            {
                return (metadata, $"metadata key '{key}' must be 1 to {MaxKeyBytes} printable ASCII characters, with a printable ASCII value");
            }

            total += key.Length + value.Length;
            metadata[key] = value;
        }

        return total > MaxTotalBytes ? (metadata, $"metadata is {total} bytes, more than the {MaxTotalBytes} allowed") : (metadata, null);
    }

    /// <summary>Replaces the file's metadata with <paramref name="metadata"/> (empty clears it).</summary>
    public static void Replace(string path, IReadOnlyDictionary<string, string> metadata)
    {
        foreach (var name in AttributeNames(path))
        {
            _ = LRemoveXattr(path, name);
        }

        foreach (var (key, value) in metadata)
        {
            var bytes = Encoding.ASCII.GetBytes(value);
            if (LSetXattr(path, AttributePrefix + key, bytes, (nuint)bytes.Length, 0) != 0)
            {
                throw new IOException($"could not set metadata '{key}' on '{path}' (errno {Marshal.GetLastPInvokeError()})");
            }
        }
    }

    /// <summary>Metadata as the proto-JSON map of an entry.</summary>
    public static JsonObject ToJson(IReadOnlyDictionary<string, string> metadata)
    {
        var map = new JsonObject();
        foreach (var (key, value) in metadata)
        {
            map[key] = value;
        }

        return map;
    }

    /// <summary>The file's metadata; null when it has none.</summary>
    public static Dictionary<string, string>? Read(string path)
    {
        Dictionary<string, string>? metadata = null;
        foreach (var name in AttributeNames(path))
        {
            var buffer = new byte[MaxTotalBytes];
            var length = LGetXattr(path, name, buffer, (nuint)buffer.Length);
            if (length >= 0)
            {
                (metadata ??= new(StringComparer.Ordinal))[name[AttributePrefix.Length..]] = Encoding.ASCII.GetString(buffer, 0, (int)length);
            }
        }

        return metadata;
    }

    private static List<string> AttributeNames(string path)
    {
        var buffer = new byte[16 * 1024];
        var length = LListXattr(path, buffer, (nuint)buffer.Length);
        var names = new List<string>();
        if (length <= 0)
        {
            return names;
        }

        foreach (var name in Encoding.UTF8.GetString(buffer, 0, (int)length).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            if (name.StartsWith(AttributePrefix, StringComparison.Ordinal))
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static bool IsPrintableAscii(string text) => text.All(c => c is >= ' ' and <= '~');

    [LibraryImport("libc", EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LListXattr(string path, byte[] list, nuint size);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LGetXattr(string path, string name, byte[] value, nuint size);

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LSetXattr(string path, string name, byte[] value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "lremovexattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LRemoveXattr(string path, string name);
}
