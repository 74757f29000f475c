using Microsoft.Extensions.Logging;
using Paddock.Core.Diagnostics;
using Paddock.Core.Logs;
using Paddock.Core.Network;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// The one place a sandbox moves: each change asks the runtime first (with a budget of its own, detached
/// from the caller), then writes the record, then updates the running set, the deadlines and the log. Its
/// callers (the API's requests, deadlines, init exits, startup) hold the sandbox's lock.
/// </summary>
internal sealed class SandboxStateChanges(
    ISandboxStore store,
    ISandboxRuntime runtime,
    SandboxEvents events,
    RunningSandboxes running,
    SandboxAdmission admission,
    TimeoutScheduler scheduler,
    LifecycleOptions options,
    TimeProvider time,
    ILogger logger)
{
    // Runtime work that must finish even if the caller goes away, but must not hang forever.
    private static readonly TimeSpan s_runtimeBudget = TimeSpan.FromSeconds(60);

    public SandboxLocks Locks { get; } = new();

    /// <summary>Told the snapshot a killed sandbox was made from, so a fork's snapshot can go with its last fork.</summary>
    public Func<string, Task>? SnapshotUnused { get; set; }

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>
    /// Writes a new record, has the runtime build its sandbox, and starts its timeout clock once it runs. The
    /// record comes first: a crash from there on leaves a Creating record that reconciliation cleans up. A
    /// failed create is recorded as killed, with the runtime's reason.
    /// </summary>
    public async Task<SandboxRecord> CreateAsync(SandboxRecord creating, SandboxSpec spec, TimeSpan timeout)
    {
        await store.InsertAsync(creating, CancellationToken.None);
        try
        {
            using var budget = new CancellationTokenSource(s_runtimeBudget);
            await runtime.CreateAsync(spec, budget.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OperatorLog.CreateFailed(logger, creating.Id, ex);
            await store.UpdateAsync(creating.Killed(Now, KillReason.CreateFailed, ex.Message), CancellationToken.None);
            await events.CreateFailedAsync(creating, ex.Message);
            throw new Errors.PaddockException(Errors.ErrorKind.Internal, $"failed to create sandbox: {ex.Message}", "sandbox_create_failed", ex);
        }

        // The timeout clock starts when the sandbox is ready, not when the request arrived.
        var now = Now;
        var record = creating.Started(now, now + timeout);
        await store.UpdateAsync(record, CancellationToken.None);
        running.Add(record);
        Track(record);
        await events.CreatedAsync(record);
        OperatorLog.Created(logger, record.Id, record.TemplateId, now + timeout);
        return record;
    }

    /// <summary>
    /// Pauses a running sandbox: frozen with its memory (<see cref="PauseKind.Memory"/>), or stopped with only
    /// its files kept (<see cref="PauseKind.Filesystem"/>).
    /// </summary>
    public async Task<SandboxRecord> PauseAsync(SandboxRecord record, bool onTimeout, PauseKind kind = PauseKind.Memory)
    {
        var paused = record.Paused(Now, kind);
        running.Remove(record.Id);
        try
        {
            using var budget = new CancellationTokenSource(s_runtimeBudget);
            if (kind == PauseKind.Memory)
            {
                await runtime.PauseAsync(record.Id, budget.Token);
            }
            else
            {
                await runtime.StopAsync(record.Id, budget.Token);
            }
        }
        catch
        {
            running.Add(record);
            throw;
        }

        await store.UpdateAsync(paused, CancellationToken.None);
        Track(paused);
        await events.PausedAsync(paused, onTimeout);
        return paused;
    }

    /// <summary>A frozen sandbox gives its memory back: its container is removed, its files kept (the tiering policy).</summary>
    public async Task<SandboxRecord> DemoteAsync(SandboxRecord record, string why)
    {
        var demoted = record.Demoted();
        using (var budget = new CancellationTokenSource(s_runtimeBudget))
        {
            await runtime.StopAsync(record.Id, budget.Token);
        }

        await store.UpdateAsync(demoted, CancellationToken.None);
        Track(demoted);
        await events.DemotedAsync(demoted, why);
        OperatorLog.Demoted(logger, record.Id, why);
        return demoted;
    }

    /// <summary>
    /// A sandbox whose processes are gone (found at startup): what is left of its container is removed and
    /// its files kept, as a filesystem-only pause. Nothing of the user's is lost, so it is not killed.
    /// </summary>
    public async Task<SandboxRecord> LoseProcessesAsync(SandboxRecord record)
    {
        var lost = record.LostProcesses(Now);
        running.Remove(record.Id);
        using (var budget = new CancellationTokenSource(s_runtimeBudget))
        {
            await runtime.StopAsync(record.Id, budget.Token);
        }

        await store.UpdateAsync(lost, CancellationToken.None);
        Track(lost);
        await events.LostProcessesAsync(lost, wasRunning: record.State == SandboxState.Running);
        OperatorLog.LostProcesses(logger, record.Id);
        return lost;
    }

    /// <summary>
    /// A resumed sandbox starts a new run, as in E2B: its lifetime and timeout count from now. A frozen one
    /// thaws; one kept on disk boots cold over its files.
    /// </summary>
    public async Task<SandboxRecord> ResumeAsync(SandboxRecord record, TimeSpan timeout)
    {
        var now = Now;
        var resumed = record.Resumed(now, ClipToLifetime(now, now + timeout));
        var coldBoot = record.PausedAs == PauseKind.Filesystem;
        using (var budget = new CancellationTokenSource(s_runtimeBudget))
        {
            if (coldBoot)
            {
                await runtime.StartAsync(SandboxSpecs.For(record), budget.Token);
            }
            else
            {
                await runtime.ResumeAsync(record.Id, budget.Token);
            }
        }

        await store.UpdateAsync(resumed, CancellationToken.None);
        running.Add(record);
        Track(resumed);
        await events.ResumedAsync(resumed, coldBoot);
        return resumed;
    }

    public async Task<SandboxRecord> SetTimeoutAsync(SandboxRecord record, TimeSpan timeout)
    {
        var changed = record.TimesOutAt(ClipToLifetime(record.StartedAt, Now + timeout));
        await store.UpdateAsync(changed, CancellationToken.None);
        Track(changed);
        await events.TimeoutSetAsync(changed);
        return changed;
    }

    /// <summary>Moves the timeout to at least now + <paramref name="by"/>; never earlier.</summary>
    public async Task<SandboxRecord> ExtendAsync(SandboxRecord record, TimeSpan by)
    {
        var extended = record.ExtendedTo(ClipToLifetime(record.StartedAt, Now + by));
        if (extended.EndAt == record.EndAt)
        {
            return extended;
        }

        await store.UpdateAsync(extended, CancellationToken.None);
        Track(extended);
        await events.TimeoutExtendedAsync(extended);
        return extended;
    }

    /// <summary>
    /// Holds a running or paused sandbox to new outbound rules: the host applies them first (to open and new
    /// connections), then the record says so.
    /// </summary>
    public async Task<SandboxRecord> UpdateNetworkAsync(SandboxRecord record, EgressRules rules)
    {
        var changed = record.WithEgress(rules);
        using (var budget = new CancellationTokenSource(s_runtimeBudget))
        {
            await runtime.UpdateEgressAsync(record.Id, changed.Egress, budget.Token);
        }

        await store.UpdateAsync(changed, CancellationToken.None);
        return changed;
    }

    /// <summary>Ends a sandbox for good: the runtime removes everything, the record stays with its reason.</summary>
    public async Task KillAsync(SandboxRecord record, KillReason reason, string? message = null)
    {
        var killed = record.Killed(Now, reason, message);
        running.Remove(record.Id);
        using (var budget = new CancellationTokenSource(s_runtimeBudget))
        {
            await runtime.DeleteAsync(record.Id, budget.Token);
        }

        await store.UpdateAsync(killed, CancellationToken.None);
        admission.Release();
        scheduler.Cancel(record.Id);
        await events.KilledAsync(record.Id, reason);
        OperatorLog.Killed(logger, record.Id, reason);
        if (record.SnapshotId is { } snapshotId && SnapshotUnused is { } unused)
        {
            try
            {
                await unused(snapshotId);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The sandbox is gone either way; the snapshot is tried again at its next user's end.
                OperatorLog.SnapshotNotReleased(logger, snapshotId, ex);
            }
        }
    }

    /// <summary>Schedules (or cancels) the next moment the lifecycle must act on a sandbox.</summary>
    public void Track(SandboxRecord record)
    {
        if (record.NextDeadline(options.PausedRetention, options.FreezeFor) is { } deadline)
        {
            scheduler.Schedule(record.Id, deadline);
        }
        else
        {
            scheduler.Cancel(record.Id);
        }
    }

    /// <summary>No sandbox lives longer than the maximum lifetime from its (last) start.</summary>
    public DateTimeOffset ClipToLifetime(DateTimeOffset startedAt, DateTimeOffset endAt)
    {
        var limit = startedAt + options.MaxLifetime;
        return endAt > limit ? limit : endAt;
    }
}
