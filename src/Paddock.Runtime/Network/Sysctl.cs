namespace Paddock.Runtime.Network;

/// <summary>Kernel settings under <c>/proc/sys</c>, read and written directly (a file write, not a process).</summary>
internal static class Sysctl
{
    public static void Write(string key, string value) => File.WriteAllText(Path.Combine("/proc/sys", key), value);

    public static string? Read(string key)
    {
        try
        {
            return File.ReadAllText(Path.Combine("/proc/sys", key)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
