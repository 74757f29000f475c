using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Paddock.Runtime.Templates;

/// <summary>
/// Builds a template's root filesystem from its recipe (a shell script embedded in Paddock) into the
/// template cache, once: the cache records the recipe's hash and is rebuilt only when it changes.
/// Builds are atomic (a build directory renamed into place) and serialised across processes by a lock
/// file, so servers sharing a cache never see a half-built tree.
/// </summary>
internal sealed partial class TemplateBuilder(RuntimeOptions options, ILogger<TemplateBuilder> logger)
{
    public static string RecipeOf(string templateId)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Paddock.Runtime.Templates.{templateId}.recipe.sh")
            ?? throw new InvalidOperationException($"no recipe for template {templateId}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> s_recipeHashes = new(StringComparer.Ordinal);

    // Templates whose recipe starts from a copy of another's tree (given to it as BASE), rather than from debootstrap.
    private static readonly Dictionary<string, string> s_builtOn = new(StringComparer.Ordinal)
    {
        ["code-interpreter-full"] = "base",
    };

    /// <summary>The template this one's recipe starts from, if any.</summary>
    public static string? BuiltOn(string templateId) => s_builtOn.GetValueOrDefault(templateId);

    /// <summary>
    /// A short hash of the recipe (and of the recipe of the template it is built on, so a change there rebuilds
    /// this one too); the recipes are part of the binary, so it is computed once.
    /// </summary>
    public static string RecipeHash(string templateId) => s_recipeHashes.GetOrAdd(
        templateId,
        id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RecipeOf(id) + (BuiltOn(id) is { } parent ? "\n" + RecipeHash(parent) : string.Empty))))[..16]);

    /// <summary>
    /// Returns the template's root filesystem directory, building it first if needed; <paramref name="baseRootfs"/>
    /// is the built tree of the template it is built on (<see cref="BuiltOn"/>).
    /// </summary>
    public async Task<string> EnsureBuiltAsync(string templateId, string? baseRootfs, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(options.ResolvedTemplatesDir, templateId);
        var rootfs = Path.Combine(dir, "rootfs");
        var stamp = Path.Combine(dir, "recipe.sha256");
        var hash = RecipeHash(templateId);
        if (IsCurrent(rootfs, stamp, hash))
        {
            return rootfs;
        }

        Directory.CreateDirectory(dir);
        await using var buildLock = await AcquireLockAsync(Path.Combine(dir, ".build.lock"), cancellationToken);
        if (IsCurrent(rootfs, stamp, hash))
        {
            return rootfs;
        }

        var build = Path.Combine(dir, "rootfs.build");
        if (Directory.Exists(build))
        {
            Directory.Delete(build, recursive: true);
        }

        Directory.CreateDirectory(build);
        var mirror = AptMirror.Detect("bookworm");
        LogBuilding(logger, templateId, mirror);
        var watch = Stopwatch.StartNew();
        await RunRecipeAsync(templateId, build, mirror, baseRootfs, cancellationToken);

        if (Directory.Exists(rootfs))
        {
            // The previous tree may still be under running sandboxes' overlays (through its own mount); move it aside.
            Directory.Move(rootfs, Path.Combine(dir, $"rootfs.old-{DateTime.UtcNow.Ticks}"));
        }

        Directory.Move(build, rootfs);
        await File.WriteAllTextAsync(stamp, hash, cancellationToken);
        LogBuilt(logger, templateId, watch.Elapsed.TotalSeconds);
        return rootfs;
    }

    private static bool IsCurrent(string rootfs, string stamp, string hash) =>
        Directory.Exists(rootfs) && File.Exists(stamp) && File.ReadAllText(stamp).Trim() == hash;

    private async Task RunRecipeAsync(string templateId, string target, string mirror, string? baseRootfs, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("/bin/bash")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(RecipeOf(templateId));
        info.Environment["TARGET"] = target;
        info.Environment["MIRROR"] = mirror;
        if (baseRootfs is not null)
        {
            info.Environment["BASE"] = baseRootfs;
        }
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start bash");
        process.StandardInput.Close();
        var tail = new Queue<string>();
        async Task PumpAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                lock (tail)
                {
                    tail.Enqueue(line);
                    if (tail.Count > 30)
                    {
                        tail.Dequeue();
                    }
                }

                // Steps of the recipe are shown as progress; apt and debootstrap chatter only at debug level.
                if (line.StartsWith('['))
                {
                    LogStep(logger, templateId, line);
                }
                else
                {
                    LogOutput(logger, templateId, line);
                }
            }
        }

        try
        {
            await Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError), process.WaitForExitAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"building template {templateId} failed (exit {process.ExitCode}):\n{string.Join('\n', tail)}");
        }
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Linux.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }

    [LoggerMessage(30, LogLevel.Information, "Building template {TemplateId} from the Debian mirror {Mirror} (first use; this takes a minute or two)")]
    private static partial void LogBuilding(ILogger logger, string templateId, string mirror);

    [LoggerMessage(31, LogLevel.Information, "Template {TemplateId}: {Step}")]
    private static partial void LogStep(ILogger logger, string templateId, string step);

    [LoggerMessage(32, LogLevel.Debug, "Template {TemplateId}: {Line}")]
    private static partial void LogOutput(ILogger logger, string templateId, string line);

    [LoggerMessage(33, LogLevel.Information, "Template {TemplateId} built in {Seconds:0.0} s")]
    private static partial void LogBuilt(ILogger logger, string templateId, double seconds);
}
