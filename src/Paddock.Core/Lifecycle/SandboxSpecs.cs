using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;

namespace Paddock.Core.Lifecycle;

/// <summary>What the runtime is given to build (or boot again) a sandbox, from its record.</summary>
internal static class SandboxSpecs
{
    public static SandboxSpec For(SandboxRecord record) => new()
    {
        SandboxId = record.Id,
        TemplateId = record.TemplateId,
        SnapshotId = record.SnapshotId,
        CpuCount = record.CpuCount,
        MemoryMB = record.MemoryMB,
        DiskSizeMB = record.DiskSizeMB,
        EnvVars = record.EnvVars,
        EnvdAccessToken = record.EnvdAccessToken,
        Egress = record.Egress,
    };
}
