using System.Globalization;
using Microsoft.Extensions.Logging;
using Paddock.Core.Diagnostics;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Core.Logs;

/// <summary>
/// What the lifecycle tells a sandbox's log: one method per event, so the vocabulary users read in
/// <c>paddock sandbox logs</c> is in one place. Writing the log never fails the operation it describes.
/// </summary>
public sealed class SandboxEvents(ISandboxLogStore store, TimeProvider time, ILogger<SandboxEvents> logger)
{
    // Logged once the agent answers (the agent's "Agent ready" comes just before), with how long that took.
    internal Task CreatedAsync(SandboxRecord record)
    {
        var took = (int)(record.StartedAt - record.CreatedAt).TotalMilliseconds;
        return AppendAsync(
            record.Id,
            SandboxLogLevel.Info,
            $"Sandbox created from template {record.Alias ?? record.TemplateId} in {took} ms",
            ("template", record.Alias ?? record.TemplateId),
            ("readyInMs", took.ToString(CultureInfo.InvariantCulture)),
            ("templateId", record.Alias is null || record.Alias == record.TemplateId ? null : record.TemplateId),
            ("endAt", Format(record.EndAt)),
            ("cpuCount", record.CpuCount.ToString(CultureInfo.InvariantCulture)),
            ("memoryMB", record.MemoryMB.ToString(CultureInfo.InvariantCulture)));
    }

    internal Task CreateFailedAsync(SandboxRecord record, string error) => AppendAsync(
        record.Id, SandboxLogLevel.Error, $"Sandbox failed to start: {error}", ("error", error));

    internal Task TimeoutSetAsync(SandboxRecord record) => AppendAsync(
        record.Id, SandboxLogLevel.Info, $"Timeout set: the sandbox ends at {Format(record.EndAt)}", ("endAt", Format(record.EndAt)));

    // Debug: clients that connect or refresh often would otherwise fill the log with these.
    internal Task TimeoutExtendedAsync(SandboxRecord record) => AppendAsync(
        record.Id, SandboxLogLevel.Debug, $"Timeout extended: the sandbox ends at {Format(record.EndAt)}", ("endAt", Format(record.EndAt)));

    internal Task PausedAsync(SandboxRecord record, bool onTimeout) => AppendAsync(
        record.Id,
        SandboxLogLevel.Info,
        (onTimeout ? "Sandbox paused: its timeout passed (autoPause)" : "Sandbox paused")
            + (record.PausedAs == PauseKind.Filesystem ? "; its processes were stopped and its files kept (filesystem-only pause)" : string.Empty),
        ("reason", onTimeout ? "timeout" : "request"),
        ("pausedAs", KindName(record.PausedAs)));

    internal Task DemotedAsync(SandboxRecord record, string why) => AppendAsync(
        record.Id,
        SandboxLogLevel.Info,
        $"Paused sandbox moved to disk: {why}; its processes were stopped and its memory freed, its files are kept and a resume boots it cold",
        ("pausedAs", KindName(record.PausedAs)));

    internal Task LostProcessesAsync(SandboxRecord record, bool wasRunning) => AppendAsync(
        record.Id,
        SandboxLogLevel.Warn,
        $"Sandbox processes lost at restart (the host rebooted or the runtime's state was lost) while it was {(wasRunning ? "running" : "paused")}; "
            + "its files are kept and it is paused: connect or resume boots it cold",
        ("pausedAs", KindName(record.PausedAs)));

    internal Task ForkedAsync(SandboxRecord record, string parentId) => AppendAsync(
        record.Id,
        SandboxLogLevel.Info,
        $"Sandbox forked from {parentId}: its files are the parent's at the fork; its processes started fresh (this runtime does not copy processes)",
        ("parent", parentId));

    internal Task ResumedAsync(SandboxRecord record, bool coldBoot = false) => AppendAsync(
        record.Id,
        SandboxLogLevel.Info,
        (coldBoot ? "Sandbox resumed with a cold boot over its kept files (its processes start anew)" : "Sandbox resumed")
            + $"; it ends at {Format(record.EndAt)}",
        ("endAt", Format(record.EndAt)),
        ("coldBoot", coldBoot ? "true" : null));

    internal Task KilledAsync(string sandboxId, KillReason reason) => AppendAsync(
        sandboxId,
        reason is KillReason.Request or KillReason.Timeout or KillReason.RetentionExpired ? SandboxLogLevel.Info : SandboxLogLevel.Error,
        $"Sandbox killed: {((KillReason?)reason).Describe()}",
        ("reason", reason.Code()));

    private async Task AppendAsync(string sandboxId, SandboxLogLevel level, string message, params (string Key, string? Value)[] fields)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal) { ["source"] = "paddock" };
        foreach (var (key, value) in fields)
        {
            if (value is not null)
            {
                map[key] = value;
            }
        }

        try
        {
            await store.AppendAsync(sandboxId, new SandboxLogEntry(time.GetUtcNow(), level, message, map), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OperatorLog.EventNotRecorded(logger, sandboxId, message, ex);
        }
    }

    private static string? KindName(PauseKind? kind) => kind?.ToString().ToLowerInvariant();

    private static string Format(DateTimeOffset? time) => time is null ? string.Empty : time.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
