using System.Globalization;
using System.Text;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests.Infrastructure;

/// <summary>A secure sandbox (E2B's v2 create) and requests to its ports through the server's proxy.</summary>
internal sealed record SecureSandbox(string Id, string Token)
{
    public static async Task<SecureSandbox> CreateAsync(ApiClient api, object? body = null)
    {
        var created = (await api.PostAsync("/v2/sandboxes", body ?? new { templateID = "base" })).AssertStatus(System.Net.HttpStatusCode.Created).Json;
        return new SecureSandbox(created.GetProperty("sandboxID").GetString()!, created.GetProperty("envdAccessToken").GetString()!);
    }

    /// <summary>A request to a port of a sandbox, routed by E2B's headers, with an access token when given.</summary>
    public static async Task<ApiResponse> RequestAsync(ApiClient api, string sandboxId, int port, string path, string? token = null, string method = "GET", string? json = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add("E2b-Sandbox-Id", sandboxId);
        request.Headers.Add("E2b-Sandbox-Port", port.ToString(CultureInfo.InvariantCulture));
        if (token is not null)
        {
            request.Headers.Add("X-Access-Token", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await api.SendRawAsync(request);
    }
}
