using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Paddock.Testing.Contracts;
using Paddock.Testing.Fakes;

namespace Paddock.Core.Tests.Runtime;

/// <summary>The runtime double passes the contract crun passes.</summary>
public sealed class FakeRuntimeContractTests : SandboxRuntimeContract
{
    private readonly FakeRuntime _runtime = new();

    protected override Task<ISandboxRuntime> CreateRuntimeAsync() => Task.FromResult<ISandboxRuntime>(_runtime);

    protected override Task EndInitAsync(string sandboxId)
    {
        _runtime.Exit(sandboxId, KillReason.AgentExited);
        return Task.CompletedTask;
    }
}
