using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Paddock.Testing.Servers;

/// <summary>
/// A real PostgreSQL server for the tests, made in a temporary directory on a free loopback port from
/// Debian's packages (apt-get install postgresql), stopped and removed at the end. Each store the tests
/// make gets a database of its own. Fails loudly, saying what to install, when PostgreSQL is missing.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string User = "paddock";

    private readonly string _bin;
    private readonly string _dataDir;
    private int _databases;

    private PostgresServer(string bin, string dataDir, int port)
    {
        _bin = bin;
        _dataDir = dataDir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("These tests need a PostgreSQL server's programs: apt-get install postgresql (scripts/test.sh does it).");
        }

        var dataDir = Directory.CreateTempSubdirectory("paddock-pg-").FullName;
        var server = new PostgresServer(bin, dataDir, FreePort());
        try
        {
            if (Environment.UserName == "root")
            {
                await RunAsync("chown", "-R", "postgres:postgres", dataDir);
            }

            await server.RunAsPostgresAsync("initdb", "-D", Path.Combine(dataDir, "data"), "-A", "trust", "-U", User, "-E", "UTF8", "--no-sync");
            await server.RunAsPostgresAsync(
                "pg_ctl", "-D", Path.Combine(dataDir, "data"), "-l", Path.Combine(dataDir, "log"), "-w", "start",
                "-o", $"-p {server.Port} -k {dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off");
            return server;
        }
        catch
        {
            // Nothing of a server that did not start stays behind.
            Directory.Delete(dataDir, recursive: true);
            throw;
        }
    }

    /// <summary>The connection string of a new, empty database.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"paddock_test_{Interlocked.Increment(ref _databases)}";
        await using (var admin = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", admin);
            await create.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsPostgresAsync("pg_ctl", "-D", Path.Combine(_dataDir, "data"), "-m", "immediate", "-w", "stop");
        Directory.Delete(_dataDir, recursive: true);
    }

    private string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Pooling=true";

    // The server refuses to run as root: as root, its programs run as the postgres user.
    private Task RunAsPostgresAsync(string program, params string[] args) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. args])
            : RunAsync(Path.Combine(_bin, program), args);

    private static async Task RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
