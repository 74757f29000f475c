using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Paddock.Core.Errors;
using Paddock.Core.Logs;
using Paddock.Core.Network;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Paddock.Core.Snapshots;
using Paddock.Core.Storage;
using Paddock.Core.Templates;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// The sandbox lifecycle as callers ask for it: create, timeout, pause, resume, connect, kill, look up. Every
/// change to one sandbox runs under that sandbox's lock through <see cref="SandboxStateChanges"/>; deadlines
/// (<see cref="DeadlineHandler"/>) and inits that die (<see cref="InitExitHandler"/>) go the same way.
/// Times are <see cref="TimeSpan"/>s and failures typed; how an API words or bounds them is the API's.
/// </summary>
public sealed class LifecycleService : IDisposable
{
    private readonly ISandboxStore _store;
    private readonly ISandboxRuntime _runtime;
    private readonly ITemplateCatalog _templates;
    private readonly SandboxEvents _events;
    private readonly RunningSandboxes _running;
    private readonly LifecycleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeoutScheduler _scheduler;
    private readonly SandboxStateChanges _changes;
    private readonly SandboxAdmission _admission;
    private readonly DeadlineHandler _deadlines;
    private readonly InitExitHandler _exits;
    private readonly FrozenMemoryBudget _frozenBudget;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _stopGate = new();
    private Task _exitWatch = Task.CompletedTask;
    private Task? _stop;
    private bool _disposed;

    /// <summary>Creates the service; call <see cref="StartAsync"/> before use.</summary>
    public LifecycleService(
        ISandboxStore store,
        ISandboxRuntime runtime,
        ITemplateCatalog templates,
        SandboxEvents events,
        RunningSandboxes running,
        LifecycleOptions options,
        TimeProvider time,
        ILogger<LifecycleService> logger)
    {
        _store = store;
        _runtime = runtime;
        _templates = templates;
        _events = events;
        _running = running;
        _options = options;
        _time = time;
        _logger = logger;
        _scheduler = new TimeoutScheduler(time, id => _deadlines!.OnDueAsync(id));
        _admission = new SandboxAdmission(options.MaxSandboxes);
        _changes = new SandboxStateChanges(store, runtime, events, running, _admission, _scheduler, options, time, logger);
        _frozenBudget = new FrozenMemoryBudget(store, _changes, options, logger);
        _deadlines = new DeadlineHandler(store, _changes, _scheduler, options, logger, _frozenBudget);
        _exits = new InitExitHandler(store, runtime, _changes, logger);
        Snapshots = new SnapshotService(store, runtime, _changes);
        _changes.SnapshotUnused = Snapshots.ReleaseIfUnusedAsync;
    }

    /// <summary>Snapshots of sandboxes, and what sandboxes are made from them.</summary>
    public SnapshotService Snapshots { get; }

    /// <summary>The lifecycle settings in force.</summary>
    public LifecycleOptions Options => _options;

    /// <summary>The deadlines being tracked (for tests).</summary>
    internal TimeoutScheduler Scheduler => _scheduler;

    /// <summary>
    /// Reconciles the store with the runtime, schedules every live sandbox's deadline, and from then on ends
    /// any sandbox whose init dies on its own, with the reason the runtime saw.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var reconciler = new StartupReconciler(_store, _runtime, _changes, _logger);
        var alive = await reconciler.ReconcileAsync(cancellationToken);
        foreach (var record in alive)
        {
            _changes.Track(record);
            if (record.State == SandboxState.Running)
            {
                _running.Add(record);
            }
        }

        _admission.Restore(alive.Count);

        // The token is taken here: a stop and a dispose may come before the pool runs the watch.
        var stopping = _stopping.Token;
        _exitWatch = Task.Run(() => _exits.RunAsync(stopping), CancellationToken.None);
    }

    /// <summary>Creates a sandbox and returns it once it runs.</summary>
    public async Task<SandboxRecord> CreateAsync(CreateSandboxCommand command, CancellationToken cancellationToken)
    {
        ValidateTimeout(command.Timeout);

        // A snapshot's id or name goes where a template's does: the sandbox stacks its layer on the snapshot's.
        var snapshot = _templates.Find(command.Template) is null ? await Snapshots.FindAsync(command.Template, cancellationToken) : null;
        if (_templates.Find(command.Template) is null && snapshot is null)
        {
            throw new PaddockException(ErrorKind.NotFound, $"template '{command.Template}' not found");
        }

        var template = await _templates.ResolveAsync(snapshot?.TemplateId ?? command.Template, cancellationToken)
            ?? throw new PaddockException(ErrorKind.NotFound, $"template '{command.Template}' not found");

        var now = _time.GetUtcNow();
        var record = new SandboxRecord
        {
            Id = SandboxId.New(),
            TemplateId = template.Id,
            SnapshotId = snapshot?.Id,
            Alias = command.Template,
            StartedAt = now,
            CreatedAt = now,
            Metadata = command.Metadata,
            EnvVars = command.EnvVars,
            AutoPause = command.AutoPause,
            AutoPauseMemory = command.AutoPauseMemory,
            AutoResume = command.AutoResume,
            Secure = command.Secure,
            EnvdAccessToken = command.Secure ? RandomNumberGenerator.GetHexString(64, lowercase: true) : null,
            AllowInternetAccess = command.Egress.AllowInternetAccess,
            AllowOut = command.Egress.AllowOut,
            DenyOut = command.Egress.DenyOut,
            AllowPublicTraffic = command.AllowPublicTraffic,
            TrafficAccessToken = command.AllowPublicTraffic ? null : RandomNumberGenerator.GetHexString(64, lowercase: true),
            MaskRequestHost = command.MaskRequestHost,
            HttpsPorts = command.HttpsPorts,
            CpuCount = _options.CpuCount,
            MemoryMB = _options.MemoryMB,
            DiskSizeMB = _options.DiskSizeMB,
            EnvdVersion = EnvdCompatibility.Version,
        };
        var spec = SandboxSpecs.For(record);

        if (!_admission.TryAdmit())
        {
            throw new SandboxLimitException(_options.MaxSandboxes!.Value);
        }

        try
        {
            using var held = await _changes.Locks.AcquireAsync(record.Id, cancellationToken);
            return await _changes.CreateAsync(record, spec, command.Timeout);
        }
        catch
        {
            // A create that failed (recorded as killed, never running) holds no place.
            _admission.Release();
            throw;
        }
    }

    /// <summary>A running or paused sandbox; <see cref="SandboxNotFoundException"/> for unknown and killed ones.</summary>
    public async Task<SandboxRecord> GetAsync(string id, CancellationToken cancellationToken) =>
        Visible(id, await _store.GetAsync(id, cancellationToken));

    /// <summary>
    /// What a sandbox uses now: a running or frozen one as the runtime samples it; one paused on disk no CPU and no
    /// memory, only its layer's disk. Null when it stopped being what it was while it was sampled (killed, paused,
    /// resumed).
    /// </summary>
    public async Task<SandboxUsage?> GetUsageAsync(string id, CancellationToken cancellationToken)
    {
        var record = await GetAsync(id, cancellationToken);

        // Not under the sandbox's lock: the sample takes a while, and a pause or kill must not wait for it.
        try
        {
            return record.PausedAs == PauseKind.Filesystem
                ? OnDisk(record, await _runtime.GetDiskAsync(id, cancellationToken))
                : await _runtime.GetUsageAsync(id, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Its cgroups or its layer went away meanwhile: then there is no sample, which is not an error.
            if ((await _store.GetAsync(id, cancellationToken)) is { } now && now.State == record.State && now.PausedAs == record.PausedAs)
            {
                throw;
            }

            return null;
        }
    }

    /// <summary>A page of sandboxes.</summary>
    public Task<SandboxPage> ListAsync(SandboxListQuery query, CancellationToken cancellationToken) =>
        _store.ListAsync(query, cancellationToken);

    /// <summary>The number of running sandboxes matching a query's filters.</summary>
    public Task<int> CountRunningAsync(SandboxListQuery query, CancellationToken cancellationToken) =>
        _store.CountRunningAsync(query, cancellationToken);

    /// <summary>
    /// Sets when a running sandbox times out to now + <paramref name="timeout"/>; it can shorten as well as extend.
    /// Zero is E2B's "end it now": the deadline passes at once and the sandbox ends the way any timeout ends it.
    /// </summary>
    public async Task<SandboxRecord> SetTimeoutAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ValidateTimeout(timeout, allowZero: true);
        using var held = await _changes.Locks.AcquireAsync(id, cancellationToken);
        return await _changes.SetTimeoutAsync(await GetAsync(id, cancellationToken), timeout);
    }

    /// <summary>Moves when a running sandbox times out to at least now + <paramref name="by"/>; never earlier.</summary>
    public async Task<SandboxRecord> ExtendAsync(string id, TimeSpan by, CancellationToken cancellationToken)
    {
        using var held = await _changes.Locks.AcquireAsync(id, cancellationToken);
        return await _changes.ExtendAsync(await GetAsync(id, cancellationToken), by);
    }

    /// <summary>
    /// Pauses a running sandbox, frozen with its memory or (<see cref="PauseKind.Filesystem"/>) stopped with
    /// its files kept; a conflict when it is already paused.
    /// </summary>
    public async Task<SandboxRecord> PauseAsync(string id, CancellationToken cancellationToken, PauseKind kind = PauseKind.Memory)
    {
        SandboxRecord paused;
        using (await _changes.Locks.AcquireAsync(id, cancellationToken))
        {
            paused = await _changes.PauseAsync(await GetAsync(id, cancellationToken), onTimeout: false, kind);
        }

        if (kind == PauseKind.Memory)
        {
            await _frozenBudget.EnforceAsync();
        }

        return paused;
    }

    /// <summary>
    /// Resumes a paused sandbox for <paramref name="timeout"/>; a conflict when it runs. With
    /// <paramref name="coldBoot"/> a frozen sandbox is booted cold over its files instead of thawed.
    /// </summary>
    public async Task<SandboxRecord> ResumeAsync(string id, TimeSpan timeout, CancellationToken cancellationToken, bool coldBoot = false)
    {
        ValidateTimeout(timeout);
        using var held = await _changes.Locks.AcquireAsync(id, cancellationToken);
        return await _changes.ResumeAsync(await ToDiskIfAskedAsync(await GetAsync(id, cancellationToken), coldBoot), timeout);
    }

    /// <summary>
    /// Returns a running sandbox with its timeout moved to at least now + <paramref name="timeout"/> (never
    /// earlier), or resumes a paused one for <paramref name="timeout"/> (booted cold with <paramref name="coldBoot"/>).
    /// </summary>
    public async Task<ConnectResult> ConnectAsync(string id, TimeSpan timeout, CancellationToken cancellationToken, bool coldBoot = false)
    {
        ValidateTimeout(timeout);
        using var held = await _changes.Locks.AcquireAsync(id, cancellationToken);
        var record = await GetAsync(id, cancellationToken);
        return record.State == SandboxState.Paused
            ? new ConnectResult(await _changes.ResumeAsync(await ToDiskIfAskedAsync(record, coldBoot), timeout), Resumed: true)
            : new ConnectResult(await _changes.ExtendAsync(record, timeout), Resumed: false);
    }

    /// <summary>
    /// Replaces what a running or paused sandbox's outbound traffic may reach (E2B's full replace); in force
    /// for its open and new connections when this returns. <see cref="SandboxNotFoundException"/> for unknown
    /// and killed ones.
    /// </summary>
    public async Task<SandboxRecord> UpdateNetworkAsync(string id, EgressRules rules, CancellationToken cancellationToken)
    {
        using var held = await _changes.Locks.AcquireAsync(id, cancellationToken);
        var record = await GetAsync(id, cancellationToken);
        if (record.State == SandboxState.Killed)
        {
            throw new SandboxNotFoundException(id, record);
        }

        return await _changes.UpdateNetworkAsync(record, rules);
    }

    /// <summary>
    /// E2B's fork: <paramref name="count"/> new running sandboxes whose files are the parent's at this moment (a
    /// snapshot of it, deleted with the last fork), each with the parent's settings and its own id and token. The
    /// parent keeps running untouched. The runtime does not copy processes: each fork boots fresh over the files.
    /// Each fork succeeds or fails on its own; a paused parent is a conflict.
    /// </summary>
    public async Task<IReadOnlyList<ForkOutcome>> ForkAsync(string id, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ValidateTimeout(timeout);
        var parent = await GetAsync(id, cancellationToken);
        if (parent.State == SandboxState.Paused)
        {
            throw new PaddockException(ErrorKind.Conflict, $"Sandbox '{id}' is paused and cannot be forked; resume it first");
        }

        var snapshot = await Snapshots.CreateAsync(id, null, cancellationToken, isInternal: true);
        var forks = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            try
            {
                var command = new CreateSandboxCommand
                {
                    Template = snapshot.Id,
                    Timeout = timeout,
                    Metadata = parent.Metadata,
                    EnvVars = parent.EnvVars,
                    AutoPause = parent.AutoPause,
                    AutoPauseMemory = parent.AutoPauseMemory,
                    AutoResume = parent.AutoResume,
                    Secure = parent.Secure,
                    Egress = parent.Egress,
                    AllowPublicTraffic = parent.AllowPublicTraffic,
                    MaskRequestHost = parent.MaskRequestHost,
                    HttpsPorts = parent.HttpsPorts,
                };
                var fork = await CreateAsync(command, cancellationToken);
                await _events.ForkedAsync(fork, parent.Id);
                return new ForkOutcome(fork with { Alias = parent.Alias }, null);
            }
            catch (PaddockException ex)
            {
                return new ForkOutcome(null, ex);
            }
        }));

        // No fork stands on it: the snapshot goes now.
        await Snapshots.ReleaseIfUnusedAsync(snapshot.Id);
        return forks;
    }

    /// <summary>Kills a running or paused sandbox; <see cref="SandboxNotFoundException"/> for unknown and killed ones.</summary>
    public async Task KillAsync(string id, CancellationToken cancellationToken)
    {
        using var held = await _changes.Locks.AcquireAsync(id, cancellationToken);
        await _changes.KillAsync(await GetAsync(id, cancellationToken), KillReason.Request);
    }

    /// <summary>
    /// Stops ending exited sandboxes and the deadline timer (the sandboxes themselves keep running). Every call
    /// returns the one stop: a host may stop its services twice, the second time while, or after, its container
    /// disposes this.
    /// </summary>
    public Task StopAsync()
    {
        lock (_stopGate)
        {
            return _stop ??= _disposed ? Task.CompletedTask : StopOnceAsync();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_stopGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stopping.Cancel();
        }

        _scheduler.Dispose();
        _stopping.Dispose();
        Snapshots.Dispose();
    }

    // Cancel, not CancelAsync, and under the gate Dispose takes: the callbacks (the exit watch's among them) have run
    // when it returns. CancelAsync ran them later on the pool, and a Dispose in between dropped them: the exit watch
    // never heard of the stop and the stop waited for it forever.
    private async Task StopOnceAsync()
    {
        _stopping.Cancel();
        await _exitWatch;
        _scheduler.Dispose();
    }

    private void ValidateTimeout(TimeSpan timeout, bool allowZero = false)
    {
        if (timeout < TimeSpan.Zero || (timeout == TimeSpan.Zero && !allowZero) || timeout > _options.MaxLifetime)
        {
            throw new TimeoutOutOfRangeException(timeout, _options.MaxLifetime);
        }
    }

    // A resume asked to boot cold (E2B's memory:false on connect/resume) drops a frozen sandbox's memory first.
    private async Task<SandboxRecord> ToDiskIfAskedAsync(SandboxRecord record, bool coldBoot) =>
        coldBoot && record is { State: SandboxState.Paused, PausedAs: PauseKind.Memory }
            ? await _changes.DemoteAsync(record, "a cold boot was asked for on resume")
            : record;

    private SandboxUsage OnDisk(SandboxRecord record, SandboxDisk disk) => new()
    {
        Timestamp = _changes.Now,
        CpuCount = record.CpuCount,
        CpuUsedPercent = 0,
        MemoryUsedBytes = 0,
        MemoryTotalBytes = record.MemoryMB * 1024L * 1024,
        MemoryCacheBytes = 0,
        DiskUsedBytes = disk.UsedBytes,
        DiskTotalBytes = disk.LimitBytes,
    };

    private static SandboxRecord Visible(string id, SandboxRecord? record) => record switch
    {
        null or { State: SandboxState.Creating } => throw new SandboxNotFoundException(id),
        { State: SandboxState.Killed } => throw new SandboxNotFoundException(id, record),
        _ => record,
    };
}
