using System.Text.Json.Nodes;
using Paddock.Agent.Process;

namespace Paddock.Agent.Interpreter;

/// <summary>
/// A code context: one stateful kernel of one language, with its working directory. Its kernel starts
/// on first use and again after it died; executions in it run one at a time. The kernel runs as the
/// sandbox's default user at the time it starts; without a cwd of its own, the context works in the
/// sandbox's default workdir or that user's home.
/// </summary>
internal sealed class CodeContext(string id, KernelSpec spec, string? cwd, AgentState state) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private JupyterKernel? _kernel;

    public string Id { get; } = id;

    public KernelSpec Spec => spec;

    public string Language => spec.Language;

    public string Cwd => string.IsNullOrEmpty(cwd) ? state.DefaultWorkdir ?? SandboxUser.Find(state.DefaultUser)?.Home ?? "/" : cwd;

    public JsonObject ToJson() => new() { ["id"] = Id, ["language"] = Language, ["cwd"] = Cwd };

    /// <summary>Runs <paramref name="work"/> alone on this context's kernel, starting the kernel if needed.</summary>
    public async Task<T> RunAsync<T>(Func<JupyterKernel, Task<T>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_kernel is null || _kernel.HasExited)
            {
                if (_kernel is not null)
                {
                    await _kernel.DisposeAsync();
                    _kernel = null;
                }

                _kernel = await StartKernelAsync(cancellationToken);
            }

            return await work(_kernel);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the kernel; the next execution starts a new one with empty state.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_kernel is not null)
            {
                await _kernel.DisposeAsync();
                _kernel = null;
            }

            _kernel = await StartKernelAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_kernel is not null)
            {
                await _kernel.DisposeAsync();
                _kernel = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    // The sandbox's global env vars as they are now, as E2B applies them on a context's first execution:
    // in the kernel's environment, and, for a language that needs code for it (Java), by that code.
    private async Task<JupyterKernel> StartKernelAsync(CancellationToken cancellationToken)
    {
        var user = SandboxUser.Find(state.DefaultUser) ?? throw new InvalidOperationException($"the default user '{state.DefaultUser}' does not exist");
        var envVars = state.EnvVars;
        var kernel = await JupyterKernel.StartAsync(spec, user, Cwd, envVars, cancellationToken);
        if (spec.InitCode is { } init && envVars.Count > 0)
        {
            await kernel.RunSilentlyAsync(init(envVars), CancellationToken.None);
        }

        return kernel;
    }
}
