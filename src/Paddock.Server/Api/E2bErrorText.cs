using Paddock.Core.Errors;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Api;

/// <summary>How E2B's API words the domain's failures (its SDKs and their users read these texts).</summary>
internal static class E2bErrorText
{
    public static string Of(PaddockException exception) => exception switch
    {
        TimeoutOutOfRangeException timeout => timeout.Requested <= TimeSpan.Zero
            ? "Timeout must be greater than 0"
            : $"Timeout cannot be greater than {Describe(timeout.Maximum)}",
        SandboxNotFoundException { Ended: { } ended } notFound =>
            $"Sandbox \"{notFound.SandboxId}\" doesn't exist or you don't have access to it "
            + $"(it was killed at {ended.EndedAt?.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}: {ended.KillReason.Describe()})",
        SandboxNotFoundException notFound => $"Sandbox \"{notFound.SandboxId}\" doesn't exist or you don't have access to it",
        SandboxLimitException limit =>
            $"you have reached the maximum number of concurrent sandboxes on this server ({limit.Maximum}); kill one, or wait for one to end",
        SandboxConflictException conflict => conflict.Action switch
        {
            SandboxAction.Pause or SandboxAction.PauseToDisk => $"Error pausing sandbox - sandbox '{conflict.SandboxId}' is already paused",
            SandboxAction.Resume => $"Sandbox \"{conflict.SandboxId}\" is already running",
            SandboxAction.SetTimeout => $"Sandbox \"{conflict.SandboxId}\" is paused; resume it before setting its timeout",
            SandboxAction.Extend => $"Sandbox \"{conflict.SandboxId}\" is paused; resume it before refreshing it",
            _ => conflict.Message,
        },
        _ => exception.Message,
    };

    private static string Describe(TimeSpan max) =>
        max.TotalHours == Math.Floor(max.TotalHours) ? $"{max.TotalHours:0} hours" : $"{max.TotalSeconds:0} seconds";
}
