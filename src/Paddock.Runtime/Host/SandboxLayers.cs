using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Win32.SafeHandles;
using Paddock.Core.Snapshots;
using Paddock.Runtime.Native;

namespace Paddock.Runtime.Host;

/// <summary>
/// Snapshot layers on the sandbox volume: each a read-only btrfs snapshot of a sandbox's bundle subvolume (so
/// it shares every block with the sandbox it was taken from, and with every sandbox made from it), in
/// <c>&lt;volume&gt;/.snapshots/&lt;key&gt;</c>, with what it is in <c>&lt;key&gt;.json</c> beside it. It keeps the
/// bundle's <c>upper/</c> and nothing else (none of the source's settings or secrets), and only that is used: a sandbox made from it mounts that, id-mapped from the range of the sandbox it
/// was taken from to its own, as a lower layer between its writable layer and the template (and the layers
/// of the snapshots under it). They live on the volume, so they survive restarts and reboots.
/// </summary>
internal sealed class SandboxLayers(RuntimeOptions options)
{
    /// <summary>The directory of the volume that holds snapshots (a dot name: never a sandbox id).</summary>
    public const string DirectoryName = ".snapshots";

    private string Root => Path.Combine(options.SandboxesDir, DirectoryName);

    /// <summary>Takes a read-only snapshot of a sandbox's bundle and records what it is.</summary>
    public async Task CreateAsync(SnapshotRecord snapshot, long ownerIdBase, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root);
        var key = KeyOf(snapshot.Id);
        using (var root = OpenDirectory(Root))
        using (var source = OpenDirectory(options.BundleOf(snapshot.SandboxId)))
        {
            Btrfs.SnapshotSubvolume((int)root.DangerousGetHandle(), (int)source.DangerousGetHandle(), key, readOnly: false);
        }

        try
        {
            KeepLayerOnly(Path.Combine(Root, key));
            using (var layer = OpenDirectory(Path.Combine(Root, key)))
            {
                Btrfs.MakeReadOnly((int)layer.DangerousGetHandle());
            }

            var json = JsonSerializer.Serialize(new StoredLayer(snapshot, ownerIdBase), LayersJson.Default.StoredLayer);
            await File.WriteAllTextAsync(MetadataOf(key) + ".new", json, cancellationToken);
            File.Move(MetadataOf(key) + ".new", MetadataOf(key), overwrite: true);
        }
        catch
        {
            Delete(snapshot.Id);
            throw;
        }
    }

    /// <summary>Every snapshot on the volume; a layer whose record was never finished is removed.</summary>
    public IReadOnlyList<SnapshotRecord> List()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var found = new List<SnapshotRecord>();
        foreach (var file in Directory.EnumerateFiles(Root, "*.json"))
        {
            if (Read(file) is { } layer)
            {
                found.Add(layer.Snapshot);
            }
        }

        return found;
    }

    /// <summary>The layers a sandbox made from <paramref name="snapshotId"/> stacks, top first, with the id base of their files.</summary>
    public IReadOnlyList<(string UpperDir, long OwnerIdBase)> ChainOf(string snapshotId)
    {
        var chain = new List<(string, long)>();
        for (string? id = snapshotId; id is not null;)
        {
            var key = KeyOf(id);
            var layer = Read(MetadataOf(key)) ?? throw new InvalidOperationException($"snapshot {id} is missing from the sandbox volume");
            chain.Add((Path.Combine(Root, key, "upper"), layer.OwnerIdBase));
            id = layer.Snapshot.ParentId;
        }

        return chain;
    }

    /// <summary>Removes a snapshot's layer and record; nothing happens when there is none.</summary>
    public void Delete(string snapshotId)
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        var key = KeyOf(snapshotId);
        if (Directory.Exists(Path.Combine(Root, key)))
        {
            using var root = OpenDirectory(Root);
            Btrfs.DeleteSubvolume((int)root.DangerousGetHandle(), key);
        }

        File.Delete(MetadataOf(key));

        // The last one takes the directory with it, so a volume with neither sandboxes nor snapshots is empty.
        if (Directory.Exists(Root) && !Directory.EnumerateFileSystemEntries(Root).Any())
        {
            Directory.Delete(Root);
        }
    }

    // A snapshot of the bundle holds everything of the source sandbox the host put there: its container's config
    // (its env vars), its network's addresses, and init.json with the agent's settings (its access token, its env
    // vars). A snapshot outlives its source and serves other sandboxes, which use its upper/ and nothing else:
    // all the rest goes before it is made read-only. What is kept is named, not what is removed, so a file the
    // bundle gains later cannot end up in a snapshot by mistake. The top of the bundle is the host's own (the
    // sandbox writes only under upper/, through the overlay), so nothing here follows a path the sandbox made.
    private static void KeepLayerOnly(string layer)
    {
        foreach (var entry in new DirectoryInfo(layer).EnumerateFileSystemInfos())
        {
            if (entry.Name == "upper")
            {
                continue;
            }

            if (entry is DirectoryInfo { LinkTarget: null } directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    // Snapshot ids hold ':' and '/': the layer is named by a hash of the id.
    private static string KeyOf(string snapshotId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(snapshotId)))[..32];

    private string MetadataOf(string key) => Path.Combine(Root, key + ".json");

    private static StoredLayer? Read(string file)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(file), LayersJson.Default.StoredLayer);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    private static SafeFileHandle OpenDirectory(string path)
    {
        var fd = Libc.Open(path, Libc.ORdOnly | Libc.ODirectory | Libc.ONoFollow | Libc.OCloexecFlag, 0);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw Libc.Error($"opening {path}");
    }
}

/// <summary>A snapshot and the first host id of the range its files are owned by.</summary>
internal sealed record StoredLayer(SnapshotRecord Snapshot, long OwnerIdBase);

[JsonSerializable(typeof(StoredLayer))]
internal sealed partial class LayersJson : JsonSerializerContext;
