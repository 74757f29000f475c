using Paddock.Core.Errors;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Api.Sandboxes;

internal static class SandboxRoute
{
    /// <summary>The sandbox id of a path, with E2B's <c>-suffix</c> dropped; 400 when it is not an id.</summary>
    public static string Id(string raw) => SandboxId.TryNormalize(raw, out var id)
        ? id
        : throw new PaddockException(ErrorKind.InvalidArgument, $"Invalid sandbox ID \"{raw}\": expected lowercase letters and digits");
}
