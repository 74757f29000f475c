namespace Paddock.Core.Lifecycle;

/// <summary>
/// How many sandboxes this server holds (being created, running or paused) against
/// <see cref="LifecycleOptions.MaxSandboxes"/>. A create takes a place before anything is built and gives it back
/// if it fails; a kill gives it back. Paused sandboxes keep theirs: a frozen sandbox still holds its memory.
/// </summary>
internal sealed class SandboxAdmission(int? max)
{
    private int _held;

    /// <summary>The sandboxes held now.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Starts from the sandboxes startup found alive.</summary>
    public void Restore(int held) => Volatile.Write(ref _held, held);

    /// <summary>Takes a place for a new sandbox; false when the server holds its maximum already.</summary>
    public bool TryAdmit()
    {
        while (true)
        {
            var held = Volatile.Read(ref _held);
            if (held >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _held, held + 1, held) == held)
            {
                return true;
            }
        }
    }

    /// <summary>Gives a place back (a kill, or a create that failed).</summary>
    public void Release() => Interlocked.Decrement(ref _held);
}
