using System.Security.Cryptography;
using System.Text;
using Paddock.Core.Errors;
using Paddock.Core.Lifecycle;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Proxy;

/// <summary>
/// E2B's <c>autoResume</c>: a request to a paused sandbox created with it resumes the sandbox, and is then
/// forwarded, instead of answering 502. The sandbox runs again for the timeout of its last run (at least E2B's
/// five minutes). A request to the agent's port of a secure sandbox must carry its access token, and one to any
/// other port of a sandbox with private ports its traffic access token, as E2B asks before it resumes anything. Unlike E2B, a sandbox that Paddock itself moved to disk (after
/// <see cref="LifecycleOptions.FreezeFor"/>, or because its processes were lost at a restart) is booted cold
/// rather than refused: its owner asked for a memory pause and for traffic to wake it.
/// </summary>
internal static class AutoResume
{
    private static readonly TimeSpan s_minimumTimeout = TimeSpan.FromMinutes(5);

    /// <summary>What became of the request: the sandbox runs now, or the answer the caller must give.</summary>
    public enum Outcome
    {
        /// <summary>It runs (it was resumed, or another request waiting on it resumed it first): forward the request.</summary>
        Resumed,

        /// <summary>Not a paused sandbox with autoResume: E2B's 502 stands.</summary>
        NotResumable,

        /// <summary>The credentials a resume needs were missing or wrong (403).</summary>
        Forbidden,
    }

    public static async Task<Outcome> TryAsync(HttpContext context, SandboxTarget target, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        SandboxRecord record;
        try
        {
            record = await lifecycle.GetAsync(target.SandboxId, cancellationToken);
        }
        catch (SandboxNotFoundException)
        {
            return Outcome.NotResumable;
        }

        // Only a paused one: a record still running here is one being paused or killed right now (it has left
        // the running set first), and must get the 502 like any sandbox that stopped.
        if (!record.AutoResume || record.State != SandboxState.Paused)
        {
            return Outcome.NotResumable;
        }

        // Credentials first: a request that would be refused once the sandbox runs must not wake it (and so cost
        // its owner a resume, and a cold boot's memory and CPU, for anyone who knows its id).
        if (!MayWake(context.Request, target, record))
        {
            return Outcome.Forbidden;
        }

        var lastRun = record.EndAt is { } endAt ? endAt - record.StartedAt : s_minimumTimeout;
        var timeout = TimeSpan.FromTicks(Math.Min(Math.Max(lastRun.Ticks, s_minimumTimeout.Ticks), lifecycle.Options.MaxLifetime.Ticks));
        try
        {
            await lifecycle.ConnectAsync(target.SandboxId, timeout, cancellationToken);
            return Outcome.Resumed;
        }
        catch (SandboxNotFoundException)
        {
            // Killed while this request waited for it.
            return Outcome.NotResumable;
        }
    }

    // What the running sandbox would ask of this request: the access token on the agent's port of a secure sandbox,
    // the traffic access token on any other port of one with private ports.
    private static bool MayWake(HttpRequest request, SandboxTarget target, SandboxRecord record) =>
        target.Port == ISandboxRuntime.AgentPort
            ? record.EnvdAccessToken is not { } token || CarriesToken(request, token)
            : TrafficAccessCheck.Refusal(request, target, SandboxIngress.Of(record)) is null;

    private static bool CarriesToken(HttpRequest request, string token) =>
        request.Headers["X-Access-Token"].ToString() is { Length: > 0 } given
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token));
}
