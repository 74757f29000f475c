using System.Text.Json.Nodes;
using Paddock.Agent.Process;

namespace Paddock.Agent.Interpreter;

/// <summary>
/// A code context: one stateful kernel of one language, with its working directory. Its kernel starts
/// on first use and again after it died; executions in it run one at a time.
/// </summary>
internal sealed class CodeContext(string id, KernelSpec spec, string cwd, SandboxUser user) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private JupyterKernel? _kernel;

    public string Id { get; } = id;

    public KernelSpec Spec => spec;

    public string Language => spec.Language;

    public string Cwd { get; } = cwd;

    public JsonObject ToJson() => new() { ["id"] = Id, ["language"] = Language, ["cwd"] = Cwd };

    /// <summary>Runs <paramref name="work"/> alone on this context's kernel, starting the kernel if needed.</summary>
    public async Task<T> RunAsync<T>(AgentState state, Func<JupyterKernel, bool, Task<T>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var fresh = false;
            if (_kernel is null || _kernel.HasExited)
            {
                if (_kernel is not null)
                {
                    await _kernel.DisposeAsync();
                    _kernel = null;
                }

                // The sandbox's global env vars as they are now, as E2B applies them on a context's first execution.
                _kernel = await JupyterKernel.StartAsync(spec, user, Cwd, state.EnvVars, cancellationToken);
                fresh = true;
            }

            return await work(_kernel, fresh);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the kernel; the next execution starts a new one with empty state.</summary>
    public async Task RestartAsync(AgentState state, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_kernel is not null)
            {
                await _kernel.DisposeAsync();
            }

            _kernel = await JupyterKernel.StartAsync(spec, user, Cwd, state.EnvVars, cancellationToken);
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
}
