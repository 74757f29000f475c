using System.Runtime.CompilerServices;
using Paddock.Core.Logs;
using Paddock.Core.Network;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Snapshots;

namespace Paddock.Testing.Fakes;

/// <summary>A runtime double that records containers and can be made slow or failing.</summary>
public sealed class FakeRuntime : ISandboxRuntime
{
    private readonly Dictionary<string, RuntimeSandboxStatus> _containers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SandboxSpec> _specs = new(StringComparer.Ordinal);
    private readonly System.Threading.Channels.Channel<SandboxExit> _exits = System.Threading.Channels.Channel.CreateUnbounded<SandboxExit>();
    private int _inFlight;

    public TimeSpan Delay { get; set; }

    /// <summary>When set, each call waits (up to 10 s) until this many calls have been in flight at once.</summary>
    public int AwaitConcurrency { get; set; }

    public string? FailCreateWith { get; set; }

    public Action? DuringCreate { get; set; }

    /// <summary>Runs while a usage sample is taken, before it is read (the real one samples CPU for a while).</summary>
    public Func<string, Task>? DuringUsage { get; set; }

    public int MaxConcurrentCalls { get; private set; }

    public List<string> Calls { get; } = [];

    /// <summary>What <see cref="ReadLogAsync"/> returns for a sandbox, oldest first.</summary>
    public Dictionary<string, List<SandboxLogEntry>> Logs { get; } = new(StringComparer.Ordinal);

    /// <summary>The spec a sandbox was built with, its outbound rules as last updated.</summary>
    public SandboxSpec SpecOf(string sandboxId)
    {
        lock (_containers)
        {
            return _specs[sandboxId];
        }
    }

    public IReadOnlyDictionary<string, RuntimeSandboxStatus> Containers
    {
        get
        {
            lock (_containers)
            {
                return new Dictionary<string, RuntimeSandboxStatus>(_containers);
            }
        }
    }

    public void Put(string id, RuntimeSandboxStatus status)
    {
        lock (_containers)
        {
            _containers[id] = status;
        }
    }

    public Task CreateAsync(SandboxSpec spec, CancellationToken cancellationToken) => Act($"create {spec.SandboxId}", () =>
    {
        DuringCreate?.Invoke();
        if (FailCreateWith is not null)
        {
            throw new InvalidOperationException(FailCreateWith);
        }

        _containers[spec.SandboxId] = RuntimeSandboxStatus.Running;
        _specs[spec.SandboxId] = spec;
    });

    public Task PauseAsync(string sandboxId, CancellationToken cancellationToken) =>
        Act($"pause {sandboxId}", () => _containers[sandboxId] = RuntimeSandboxStatus.Paused);

    public Task ResumeAsync(string sandboxId, CancellationToken cancellationToken) =>
        Act($"resume {sandboxId}", () => _containers[sandboxId] = RuntimeSandboxStatus.Running);

    public Task UpdateEgressAsync(string sandboxId, EgressRules rules, CancellationToken cancellationToken) =>
        Act($"update network {sandboxId}", () =>
        {
            if (!_containers.ContainsKey(sandboxId))
            {
                throw new InvalidOperationException($"no container {sandboxId}");
            }

            _specs[sandboxId] = _specs[sandboxId] with { Egress = rules };
        });

    public Task StopAsync(string sandboxId, CancellationToken cancellationToken) =>
        Act($"stop {sandboxId}", () =>
        {
            if (!_containers.ContainsKey(sandboxId))
            {
                throw new InvalidOperationException($"sandbox {sandboxId} has no layer to keep");
            }

            _containers[sandboxId] = RuntimeSandboxStatus.FilesOnly;
        });

    public Task StartAsync(SandboxSpec spec, CancellationToken cancellationToken) =>
        Act($"start {spec.SandboxId}", () =>
        {
            if (!_containers.TryGetValue(spec.SandboxId, out var status) || status != RuntimeSandboxStatus.FilesOnly)
            {
                throw new InvalidOperationException($"sandbox {spec.SandboxId} is not stopped");
            }

            _containers[spec.SandboxId] = RuntimeSandboxStatus.Running;
            _specs[spec.SandboxId] = spec;
        });

    /// <summary>The snapshots held, by id.</summary>
    public Dictionary<string, SnapshotRecord> Snapshots { get; } = new(StringComparer.Ordinal);

    public async Task<SnapshotRecord> SnapshotAsync(SnapshotRecord snapshot, bool freeze, CancellationToken cancellationToken)
    {
        await Act($"snapshot {snapshot.SandboxId} {snapshot.Id}{(freeze ? " frozen" : string.Empty)}", () =>
        {
            if (!_containers.ContainsKey(snapshot.SandboxId))
            {
                throw new InvalidOperationException($"no container {snapshot.SandboxId}");
            }

            Snapshots[snapshot.Id] = snapshot with { SizeBytes = DiskUsedBytes };
        });
        return Snapshots[snapshot.Id];
    }

    public Task<IReadOnlyList<SnapshotRecord>> ListSnapshotsAsync(CancellationToken cancellationToken)
    {
        lock (_containers)
        {
            return Task.FromResult<IReadOnlyList<SnapshotRecord>>(Snapshots.Values.ToList());
        }
    }

    public Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken) =>
        Act($"delete snapshot {snapshotId}", () => Snapshots.Remove(snapshotId));

    public Task DeleteAsync(string sandboxId, CancellationToken cancellationToken) =>
        Act($"delete {sandboxId}", () =>
        {
            _containers.Remove(sandboxId);
            _specs.Remove(sandboxId);
        });

    public Task<Stream> ConnectAsync(string sandboxId, int port, CancellationToken cancellationToken) =>
        Task.FromException<Stream>(new SandboxPortClosedException(sandboxId, port, "the fake runtime has no channel"));

    public async IAsyncEnumerable<SandboxLogEntry> ReadLogAsync(string sandboxId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var entry in Logs.GetValueOrDefault(sandboxId) ?? [])
        {
            await Task.Yield();
            yield return entry;
        }
    }

    public Task<IReadOnlyDictionary<string, RuntimeSandboxStatus>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Containers);

    public async Task<SandboxUsage> GetUsageAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (DuringUsage is { } during)
        {
            await during(sandboxId);
        }

        return await UsageNowAsync(sandboxId);
    }

    private Task<SandboxUsage> UsageNowAsync(string sandboxId)
    {
        lock (_containers)
        {
            return _specs.TryGetValue(sandboxId, out var spec) && _containers.ContainsKey(sandboxId)
                ? Task.FromResult(new SandboxUsage
                {
                    Timestamp = DateTimeOffset.UtcNow,
                    CpuCount = spec.CpuCount,
                    CpuUsedPercent = 1.5,
                    MemoryUsedBytes = 10 << 20,
                    MemoryTotalBytes = spec.MemoryMB * 1024L * 1024,
                    MemoryCacheBytes = 1 << 20,
                    DiskUsedBytes = DiskUsedBytes,
                    DiskTotalBytes = spec.DiskSizeMB * 1024L * 1024,
                })
                : Task.FromException<SandboxUsage>(new InvalidOperationException($"no container {sandboxId}"));
        }
    }

    /// <summary>What every sandbox's layer holds, as the fake's quota counts it.</summary>
    public long DiskUsedBytes { get; set; } = 4096;

    public Task<SandboxDisk> GetDiskAsync(string sandboxId, CancellationToken cancellationToken)
    {
        lock (_containers)
        {
            return _specs.TryGetValue(sandboxId, out var spec) && _containers.ContainsKey(sandboxId)
                ? Task.FromResult(new SandboxDisk(DiskUsedBytes, spec.DiskSizeMB * 1024L * 1024))
                : Task.FromException<SandboxDisk>(new InvalidOperationException($"no layer {sandboxId}"));
        }
    }

    public IAsyncEnumerable<SandboxExit> WatchExitsAsync(CancellationToken cancellationToken) => _exits.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Makes a container's init end on its own, as the crun runtime reports it.</summary>
    public void Exit(string sandboxId, Paddock.Core.Sandboxes.KillReason reason)
    {
        lock (_containers)
        {
            _containers[sandboxId] = RuntimeSandboxStatus.Stopped;
        }

        _exits.Writer.TryWrite(new SandboxExit(sandboxId, reason, "its init ended"));
    }

    private int ReachedConcurrency()
    {
        lock (_containers)
        {
            return MaxConcurrentCalls;
        }
    }

    private async Task Act(string call, Action action)
    {
        var now = Interlocked.Increment(ref _inFlight);
        lock (_containers)
        {
            MaxConcurrentCalls = Math.Max(MaxConcurrentCalls, now);
            Calls.Add(call);
        }

        try
        {
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay);
            }

            // Until that many were in flight together at some moment (the first may be gone when the last looks).
            for (var waited = 0; AwaitConcurrency > 0 && ReachedConcurrency() < AwaitConcurrency && waited < 10_000; waited += 5)
            {
                await Task.Delay(5);
            }

            lock (_containers)
            {
                action();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
