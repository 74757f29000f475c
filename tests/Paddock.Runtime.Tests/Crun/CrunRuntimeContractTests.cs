using Paddock.Core.SandboxRuntime;
using Paddock.Testing.Contracts;

namespace Paddock.Runtime.Tests.Crun;

/// <summary>The crun runtime passes the runtime contract, on real containers.</summary>
public sealed class CrunRuntimeContractTests : SandboxRuntimeContract
{
    private CrunTestHost _host = null!;

    protected override async Task<ISandboxRuntime> CreateRuntimeAsync()
    {
        _host = await CrunTestHost.StartAsync();
        return _host.Runtime();
    }

    protected override Task DisposeRuntimeAsync()
    {
        ((IDisposable)Runtime).Dispose();
        _host.Stop();
        return Task.CompletedTask;
    }

    protected override Task EndInitAsync(string sandboxId)
    {
        Native.Libc.Kill(_host.InitPidOf(sandboxId), Native.Libc.SigKill);
        return Task.CompletedTask;
    }
}
