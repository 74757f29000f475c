using Yarp.ReverseProxy.Forwarder;

namespace Paddock.Server.Proxy;

/// <summary>
/// How answers from a sandbox are passed on: as they are, except that a Connect stream ends in words the SDKs
/// understand should the sandbox stop (paused, killed, timed out) or go away in the middle of it (see
/// <see cref="ConnectEndOfStream"/>). One per forwarded request; the request itself goes as it came, with
/// <paramref name="upstreamHost"/> as its Host when one is given (the caller's, or the sandbox's mask).
/// </summary>
internal sealed class SandboxResponses(string sandboxId, CancellationToken stopped, string? upstreamHost = null) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        if (upstreamHost is not null)
        {
            // A mask was validated when the sandbox was created; its port part may be anything E2B accepts there.
            proxyRequest.Headers.Remove("Host");
            proxyRequest.Headers.TryAddWithoutValidation("Host", upstreamHost);
        }
    }

    /// <summary>True once the answer is a Connect stream, which ends itself when the sandbox stops.</summary>
    public bool EndsItself { get; private set; }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is not null && ConnectEndOfStream.Applies(proxyResponse))
        {
            var original = proxyResponse.Content;
            var wrapped = new ConnectEndOfStream(original, Reason, stopped);
            foreach (var header in original.Headers)
            {
                wrapped.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            proxyResponse.Content = wrapped;
            EndsItself = true;
        }

        return copyBody;
    }

    private string Reason() => stopped.IsCancellationRequested
        ? $"sandbox {sandboxId} stopped running (it was paused, killed or timed out) while the request was in flight"
        : $"the connection to sandbox {sandboxId} was lost while the request was in flight";
}
