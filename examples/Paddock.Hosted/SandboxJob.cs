using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Paddock.Client;

namespace Paddock.Hosted;

/// <summary>One piece of work with a sandbox, as a hosted service would do it, then the application stops.</summary>
internal sealed partial class SandboxJob(ISandboxClient sandboxes, IHostApplicationLifetime lifetime, ILogger<SandboxJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var sandbox = await sandboxes.CreateAsync(new SandboxOptions { Timeout = TimeSpan.FromMinutes(2) }, stoppingToken);
            LogCreated(logger, sandbox.SandboxId);
            var result = await sandbox.Commands.RunAsync("uname -s", cancellationToken: stoppingToken);
            var execution = await sandbox.RunCodeAsync("sum(range(10))", cancellationToken: stoppingToken);
            LogDone(logger, result.Stdout.Trim(), execution.Text);
        }
        catch (Exception ex) when (ex is ISandboxError)
        {
            LogFailed(logger, ex);
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Sandbox {SandboxId} created")]
    private static partial void LogCreated(ILogger logger, string sandboxId);

    [LoggerMessage(2, LogLevel.Information, "The sandbox runs {System}; sum(range(10)) = {Sum}")]
    private static partial void LogDone(ILogger logger, string system, string? sum);

    [LoggerMessage(3, LogLevel.Error, "The sandbox work failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
