using System.Runtime.CompilerServices;
using Paddock.Core.Logs;
using Paddock.Core.Runtime;

namespace Paddock.Core.Tests.Fakes;

/// <summary>A runtime double that records containers and can be made slow or failing.</summary>
internal sealed class FakeRuntime : ISandboxRuntime
{
    private readonly Dictionary<string, RuntimeSandboxStatus> _containers = new(StringComparer.Ordinal);
    private int _inFlight;

    public TimeSpan Delay { get; set; }

    public string? FailCreateWith { get; set; }

    public Action? DuringCreate { get; set; }

    public int MaxConcurrentCalls { get; private set; }

    public List<string> Calls { get; } = [];

    /// <summary>What <see cref="ReadLogAsync"/> returns for a sandbox, oldest first.</summary>
    public Dictionary<string, List<SandboxLogEntry>> Logs { get; } = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, RuntimeSandboxStatus> Containers
    {
        get
        {
            lock (_containers)
            {
                return new Dictionary<string, RuntimeSandboxStatus>(_containers);
            }
        }
    }

    public void Put(string id, RuntimeSandboxStatus status)
    {
        lock (_containers)
        {
            _containers[id] = status;
        }
    }

    public Task CreateAsync(SandboxSpec spec, CancellationToken cancellationToken) => Act($"create {spec.SandboxId}", () =>
    {
        DuringCreate?.Invoke();
        if (FailCreateWith is not null)
        {
            throw new InvalidOperationException(FailCreateWith);
        }

        _containers[spec.SandboxId] = RuntimeSandboxStatus.Running;
    });

    public Task PauseAsync(string sandboxId, CancellationToken cancellationToken) =>
        Act($"pause {sandboxId}", () => _containers[sandboxId] = RuntimeSandboxStatus.Paused);

    public Task ResumeAsync(string sandboxId, CancellationToken cancellationToken) =>
        Act($"resume {sandboxId}", () => _containers[sandboxId] = RuntimeSandboxStatus.Running);

    public Task DeleteAsync(string sandboxId, CancellationToken cancellationToken) =>
        Act($"delete {sandboxId}", () => _containers.Remove(sandboxId));

    public Task<Stream> ConnectAsync(string sandboxId, int port, CancellationToken cancellationToken) =>
        Task.FromException<Stream>(new SandboxPortClosedException(sandboxId, port, "the fake runtime has no channel"));

    public async IAsyncEnumerable<SandboxLogEntry> ReadLogAsync(string sandboxId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var entry in Logs.GetValueOrDefault(sandboxId) ?? [])
        {
            await Task.Yield();
            yield return entry;
        }
    }

    public Task<IReadOnlyDictionary<string, RuntimeSandboxStatus>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Containers);

    private async Task Act(string call, Action action)
    {
        var now = Interlocked.Increment(ref _inFlight);
        lock (_containers)
        {
            MaxConcurrentCalls = Math.Max(MaxConcurrentCalls, now);
            Calls.Add(call);
        }

        try
        {
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay);
            }

            lock (_containers)
            {
                action();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
