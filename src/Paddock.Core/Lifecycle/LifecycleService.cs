using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Paddock.Core.Errors;
using Paddock.Core.Logs;
using Paddock.Core.Runtime;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;
using Paddock.Core.Templates;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// The sandbox lifecycle: create, timeout, pause, resume, connect, kill, and what happens when a
/// deadline passes. Every change to one sandbox runs under that sandbox's lock and is written to the
/// store; the runtime is asked to act before the store records the new state, except on create, where
/// the record comes first so a crash leaves something reconciliation can clean up.
/// </summary>
public sealed partial class LifecycleService : IDisposable
{
    // Runtime work that must finish even if the caller goes away, but must not hang forever.
    private static readonly TimeSpan s_runtimeBudget = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(5);

    private readonly ISandboxStore _store;
    private readonly ISandboxRuntime _runtime;
    private readonly ITemplateCatalog _templates;
    private readonly SandboxEvents _events;
    private readonly LifecycleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SandboxLocks _locks = new();
    private readonly TimeoutScheduler _scheduler;
    private readonly CancellationTokenSource _stopping = new();
    private Task _exitWatch = Task.CompletedTask;

    // Sandboxes whose traffic may flow, kept in memory because the proxy asks on every request. A sandbox
    // leaves the set before the runtime pauses or deletes it and joins once it runs.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _running = new(StringComparer.Ordinal);

    /// <summary>Creates the service; call <see cref="StartAsync"/> before use.</summary>
    public LifecycleService(
        ISandboxStore store,
        ISandboxRuntime runtime,
        ITemplateCatalog templates,
        SandboxEvents events,
        LifecycleOptions options,
        TimeProvider time,
        ILogger<LifecycleService> logger)
    {
        _store = store;
        _runtime = runtime;
        _templates = templates;
        _events = events;
        _options = options;
        _time = time;
        _logger = logger;
        _scheduler = new TimeoutScheduler(time, OnDeadlineAsync);
    }

    /// <summary>The deadlines the service is tracking (for tests and diagnostics).</summary>
    public TimeoutScheduler Scheduler => _scheduler;

    /// <summary>The lifecycle settings in force.</summary>
    public LifecycleOptions Options => _options;

    /// <summary>
    /// Reconciles the store with the runtime, schedules every live sandbox's deadline, and from then on ends
    /// any sandbox whose init dies on its own, with the reason the runtime saw.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var reconciler = new StartupReconciler(_store, _runtime, _events, _time, _logger);
        var live = await reconciler.ReconcileAsync(cancellationToken);
        foreach (var record in live)
        {
            ScheduleDeadline(record);
            if (record.State == SandboxState.Running)
            {
                _running[record.Id] = true;
            }
        }

        _exitWatch = Task.Run(() => EndExitedSandboxesAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Whether the sandbox runs now (answered from memory, for the proxy's per-request check).</summary>
    public bool IsRunning(string id) => _running.ContainsKey(id);

    /// <summary>Creates a sandbox and returns it once it runs.</summary>
    public async Task<SandboxRecord> CreateAsync(CreateSandboxCommand command, CancellationToken cancellationToken)
    {
        ValidateTimeout(command.TimeoutSeconds);
        if (_templates.Find(command.Template) is null)
        {
            throw new PaddockException(ErrorKind.NotFound, $"template '{command.Template}' not found");
        }

        var template = await _templates.ResolveAsync(command.Template, cancellationToken)
            ?? throw new PaddockException(ErrorKind.NotFound, $"template '{command.Template}' not found");

        var now = _time.GetUtcNow();
        var id = SandboxId.New();
        var record = new SandboxRecord
        {
            Id = id,
            TemplateId = template.Id,
            Alias = command.Template,
            State = SandboxState.Creating,
            StartedAt = now,
            EndAt = now + TimeSpan.FromSeconds(command.TimeoutSeconds),
            CreatedAt = now,
            Metadata = command.Metadata,
            EnvVars = command.EnvVars,
            AutoPause = command.AutoPause,
            AutoResume = command.AutoResume,
            Secure = command.Secure,
            EnvdAccessToken = command.Secure ? RandomNumberGenerator.GetHexString(64, lowercase: true) : null,
            AllowInternetAccess = command.AllowInternetAccess,
            CpuCount = _options.CpuCount,
            MemoryMB = _options.MemoryMB,
            DiskSizeMB = _options.DiskSizeMB,
            EnvdVersion = EnvdCompatibility.Version,
        };

        using var held = await _locks.AcquireAsync(id, cancellationToken);

        // The record first: a crash from here on leaves a Creating record that reconciliation cleans.
        await _store.InsertAsync(record, CancellationToken.None);
        var spec = new SandboxSpec
        {
            SandboxId = id,
            TemplateId = template.Id,
            CpuCount = record.CpuCount,
            MemoryMB = record.MemoryMB,
            DiskSizeMB = record.DiskSizeMB,
            EnvVars = record.EnvVars,
            EnvdAccessToken = record.EnvdAccessToken,
        };

        try
        {
            using var budget = new CancellationTokenSource(s_runtimeBudget);
            await _runtime.CreateAsync(spec, budget.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.CreateFailed(_logger, id, ex);
            await _store.UpdateAsync(Killed(record, KillReason.CreateFailed, ex.Message), CancellationToken.None);
            await _events.CreateFailedAsync(record, ex.Message);
            throw new PaddockException(ErrorKind.Internal, $"failed to create sandbox: {ex.Message}", "sandbox_create_failed", ex);
        }

        // The timeout clock starts when the sandbox is ready, not when the request arrived.
        var ready = _time.GetUtcNow();
        record = record with
        {
            State = SandboxState.Running,
            StartedAt = ready,
            EndAt = ready + TimeSpan.FromSeconds(command.TimeoutSeconds),
        };
        await _store.UpdateAsync(record, CancellationToken.None);
        _running[id] = true;
        ScheduleDeadline(record);
        await _events.CreatedAsync(record);
        Log.Created(_logger, id, template.Id, record.EndAt);
        return record;
    }

    /// <summary>A running or paused sandbox; not found for unknown and killed ones.</summary>
    public async Task<SandboxRecord> GetAsync(string id, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(id, cancellationToken);
        return Visible(id, record);
    }

    /// <summary>What a sandbox uses now; null while it is paused (a frozen sandbox uses nothing).</summary>
    public async Task<SandboxUsage?> GetUsageAsync(string id, CancellationToken cancellationToken)
    {
        var record = Visible(id, await _store.GetAsync(id, cancellationToken));
        return record.State == SandboxState.Running ? await _runtime.GetUsageAsync(id, cancellationToken) : null;
    }

    /// <summary>A page of sandboxes.</summary>
    public Task<SandboxPage> ListAsync(SandboxListQuery query, CancellationToken cancellationToken) =>
        _store.ListAsync(query, cancellationToken);

    /// <summary>The number of running sandboxes matching a query's filters.</summary>
    public Task<int> CountRunningAsync(SandboxListQuery query, CancellationToken cancellationToken) =>
        _store.CountRunningAsync(query, cancellationToken);

    /// <summary>Sets <c>endAt = now + timeout</c>; it can shorten as well as extend.</summary>
    public async Task<SandboxRecord> SetTimeoutAsync(string id, int timeoutSeconds, CancellationToken cancellationToken)
    {
        ValidateTimeout(timeoutSeconds);
        using var held = await _locks.AcquireAsync(id, cancellationToken);
        var record = Visible(id, await _store.GetAsync(id, cancellationToken));
        if (record.State != SandboxState.Running)
        {
            throw PaddockException.Conflict($"Sandbox \"{id}\" is paused; resume it before setting its timeout");
        }

        record = record with { EndAt = ClipToLifetime(record.StartedAt, _time.GetUtcNow() + TimeSpan.FromSeconds(timeoutSeconds)) };
        await _store.UpdateAsync(record, CancellationToken.None);
        ScheduleDeadline(record);
        await _events.TimeoutSetAsync(record);
        return record;
    }

    /// <summary>Extends a running sandbox's timeout to at least <c>now + duration</c> (15 s to 3600 s).</summary>
    public async Task<SandboxRecord> RefreshAsync(string id, int? durationSeconds, CancellationToken cancellationToken)
    {
        if (durationSeconds is > 3600)
        {
            throw PaddockException.Invalid("duration must be at most 3600 seconds");
        }

        var duration = TimeSpan.FromSeconds(Math.Max(durationSeconds ?? 15, 15));
        using var held = await _locks.AcquireAsync(id, cancellationToken);
        var record = Visible(id, await _store.GetAsync(id, cancellationToken));
        if (record.State != SandboxState.Running)
        {
            throw PaddockException.Conflict($"Sandbox \"{id}\" is paused; resume it before refreshing it");
        }

        return await ExtendAsync(record, duration);
    }

    /// <summary>Freezes a running sandbox; conflict if it is already paused.</summary>
    public async Task<SandboxRecord> PauseAsync(string id, CancellationToken cancellationToken)
    {
        using var held = await _locks.AcquireAsync(id, cancellationToken);
        var record = Visible(id, await _store.GetAsync(id, cancellationToken));
        if (record.State == SandboxState.Paused)
        {
            throw PaddockException.Conflict($"Error pausing sandbox - sandbox '{id}' is already paused");
        }

        return await PauseLockedAsync(record, onTimeout: false);
    }

    /// <summary>Resumes a paused sandbox (the deprecated resume endpoint); conflict if it runs.</summary>
    public async Task<SandboxRecord> ResumeAsync(string id, int timeoutSeconds, CancellationToken cancellationToken)
    {
        ValidateTimeout(timeoutSeconds);
        using var held = await _locks.AcquireAsync(id, cancellationToken);
        var record = Visible(id, await _store.GetAsync(id, cancellationToken));
        if (record.State == SandboxState.Running)
        {
            throw PaddockException.Conflict($"Sandbox \"{id}\" is already running");
        }

        return await ResumeLockedAsync(record, timeoutSeconds);
    }

    /// <summary>
    /// Returns a running sandbox with its timeout extended to at least <c>now + timeout</c>, or resumes
    /// a paused one. Never shortens a timeout.
    /// </summary>
    public async Task<ConnectResult> ConnectAsync(string id, int timeoutSeconds, CancellationToken cancellationToken)
    {
        ValidateTimeout(timeoutSeconds);
        using var held = await _locks.AcquireAsync(id, cancellationToken);
        var record = Visible(id, await _store.GetAsync(id, cancellationToken));
        if (record.State == SandboxState.Paused)
        {
            return new ConnectResult(await ResumeLockedAsync(record, timeoutSeconds), Resumed: true);
        }

        return new ConnectResult(await ExtendAsync(record, TimeSpan.FromSeconds(timeoutSeconds)), Resumed: false);
    }

    /// <summary>Kills a running or paused sandbox; not found for unknown and killed ones.</summary>
    public async Task KillAsync(string id, CancellationToken cancellationToken)
    {
        using var held = await _locks.AcquireAsync(id, cancellationToken);
        var record = Visible(id, await _store.GetAsync(id, cancellationToken));
        await KillLockedAsync(record, KillReason.Request);
    }

    private async Task OnDeadlineAsync(string id)
    {
        try
        {
            using var held = await _locks.AcquireAsync(id, CancellationToken.None);
            var record = await _store.GetAsync(id, CancellationToken.None);
            var deadline = record?.NextDeadline(_options.PausedRetention);
            if (record is null || deadline is null)
            {
                return;
            }

            if (deadline > _time.GetUtcNow())
            {
                // Moved while this call waited for the lock.
                _scheduler.Schedule(id, deadline.Value);
                return;
            }

            if (record.State == SandboxState.Running && record.AutoPause)
            {
                Log.TimeoutPausing(_logger, id);
                await PauseLockedAsync(record, onTimeout: true);
            }
            else
            {
                var reason = record.State == SandboxState.Paused ? KillReason.RetentionExpired : KillReason.Timeout;
                Log.DeadlineKilling(_logger, id, reason);
                await KillLockedAsync(record, reason);
            }
        }
        catch (Exception ex)
        {
            // The sandbox keeps its deadline; try again shortly rather than let it live forever.
            Log.DeadlineFailed(_logger, id, ex);
            _scheduler.Schedule(id, _time.GetUtcNow() + s_retryDelay);
        }
    }

    private async Task<SandboxRecord> PauseLockedAsync(SandboxRecord record, bool onTimeout)
    {
        SandboxTransitions.Ensure(record.State, SandboxState.Paused);
        _running.TryRemove(record.Id, out _);
        try
        {
            using var budget = new CancellationTokenSource(s_runtimeBudget);
            await _runtime.PauseAsync(record.Id, budget.Token);
        }
        catch
        {
            _running[record.Id] = true;
            throw;
        }

        var now = _time.GetUtcNow();
        record = record with { State = SandboxState.Paused, PausedAt = now, EndAt = now };
        await _store.UpdateAsync(record, CancellationToken.None);
        ScheduleDeadline(record);
        await _events.PausedAsync(record, onTimeout);
        return record;
    }

    private async Task<SandboxRecord> ResumeLockedAsync(SandboxRecord record, int timeoutSeconds)
    {
        SandboxTransitions.Ensure(record.State, SandboxState.Running);
        using (var budget = new CancellationTokenSource(s_runtimeBudget))
        {
            await _runtime.ResumeAsync(record.Id, budget.Token);
        }

        // As in E2B, a resumed sandbox starts a new run: its lifetime and timeout count from now.
        var now = _time.GetUtcNow();
        record = record with
        {
            State = SandboxState.Running,
            StartedAt = now,
            PausedAt = null,
            EndAt = ClipToLifetime(now, now + TimeSpan.FromSeconds(timeoutSeconds)),
        };
        await _store.UpdateAsync(record, CancellationToken.None);
        _running[record.Id] = true;
        ScheduleDeadline(record);
        await _events.ResumedAsync(record);
        return record;
    }

    private async Task<SandboxRecord> ExtendAsync(SandboxRecord record, TimeSpan by)
    {
        var candidate = ClipToLifetime(record.StartedAt, _time.GetUtcNow() + by);
        if (candidate <= record.EndAt)
        {
            return record;
        }

        record = record with { EndAt = candidate };
        await _store.UpdateAsync(record, CancellationToken.None);
        ScheduleDeadline(record);
        await _events.TimeoutExtendedAsync(record);
        return record;
    }

    private async Task EndExitedSandboxesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var exit in _runtime.WatchExitsAsync(cancellationToken))
            {
                try
                {
                    using var held = await _locks.AcquireAsync(exit.SandboxId, cancellationToken);
                    var record = await _store.GetAsync(exit.SandboxId, CancellationToken.None);

                    // A create that is still waiting for its agent fails on its own; a killed one is done.
                    if (record is { State: SandboxState.Running or SandboxState.Paused })
                    {
                        Log.SandboxExited(_logger, exit.SandboxId, exit.Reason, exit.Detail);
                        await KillLockedAsync(record, exit.Reason, exit.Detail);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.SandboxExitFailed(_logger, exit.SandboxId, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task KillLockedAsync(SandboxRecord record, KillReason reason, string? message = null)
    {
        SandboxTransitions.Ensure(record.State, SandboxState.Killed);
        _running.TryRemove(record.Id, out _);
        using (var budget = new CancellationTokenSource(s_runtimeBudget))
        {
            await _runtime.DeleteAsync(record.Id, budget.Token);
        }

        await _store.UpdateAsync(Killed(record, reason, message), CancellationToken.None);
        _scheduler.Cancel(record.Id);
        await _events.KilledAsync(record.Id, reason);
        Log.Killed(_logger, record.Id, reason);
    }

    private SandboxRecord Killed(SandboxRecord record, KillReason reason, string? message) => record with
    {
        State = SandboxState.Killed,
        EndAt = _time.GetUtcNow(),
        PausedAt = null,
        KillReason = reason,
        KillMessage = message,
    };

    private void ScheduleDeadline(SandboxRecord record)
    {
        var deadline = record.NextDeadline(_options.PausedRetention);
        if (deadline is null)
        {
            _scheduler.Cancel(record.Id);
        }
        else
        {
            _scheduler.Schedule(record.Id, deadline.Value);
        }
    }

    private DateTimeOffset ClipToLifetime(DateTimeOffset startedAt, DateTimeOffset endAt)
    {
        var limit = startedAt + _options.MaxLifetime;
        return endAt > limit ? limit : endAt;
    }

    private void ValidateTimeout(int timeoutSeconds)
    {
        if (timeoutSeconds <= 0)
        {
            throw PaddockException.Invalid("Timeout must be greater than 0");
        }

        if (TimeSpan.FromSeconds(timeoutSeconds) > _options.MaxLifetime)
        {
            throw PaddockException.Invalid($"Timeout cannot be greater than {DescribeMaxLifetime()}");
        }
    }

    private string DescribeMaxLifetime()
    {
        var max = _options.MaxLifetime;
        return max.TotalHours == Math.Floor(max.TotalHours) ? $"{max.TotalHours:0} hours" : $"{max.TotalSeconds:0} seconds";
    }

    private static SandboxRecord Visible(string id, SandboxRecord? record) => record switch
    {
        null or { State: SandboxState.Creating } => throw PaddockException.SandboxNotFound(id),
        { State: SandboxState.Killed } => throw PaddockException.SandboxNotFound(
            id, $"it was killed at {record.EndAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}: {record.KillReason.Describe()}"),
        _ => record,
    };

    /// <summary>Stops ending exited sandboxes and the deadline timer (the sandboxes themselves keep running).</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        await _exitWatch;
        _scheduler.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Cancel();
        _scheduler.Dispose();
        _stopping.Dispose();
    }
}
