using System.Net;
using System.Text;
using System.Text.Json;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

/// <summary>
/// Thousands of malformed requests, each wrong in a way the API must name: every answer is a 4xx with E2B's
/// <c>{code, message}</c> body, and the server stays up. Seeded, so a failure can be replayed.
/// </summary>
public sealed class ApiFuzzTests(InProcessServer server) : IClassFixture<InProcessServer>
{
    private const int Requests = 3000;
    private const int Seed = 20261130;

    private static readonly string[] s_sandboxRoutes =
        ["/sandboxes/{id}", "/sandboxes/{id}/timeout", "/sandboxes/{id}/refreshes", "/sandboxes/{id}/pause", "/sandboxes/{id}/resume",
         "/sandboxes/{id}/connect", "/v2/sandboxes/{id}/connect", "/sandboxes/{id}/metrics", "/sandboxes/{id}/logs", "/v2/sandboxes/{id}/logs"];

    private static readonly string[] s_bodyRoutes =
        ["/sandboxes", "/v2/sandboxes"];

    // Not "%00": Kestrel refuses a NUL in a path itself, before any middleware, with an empty 400.
    private static readonly string[] s_badIds =
        ["..%2F..%2Fetc", "I-UPPER", new string('a', 5000), "\u00e9\u00e8", "id%20with%20space", "a.b", "%2e%2e"];

    [Fact]
    public async Task MalformedRequests_AreAll4xxWithE2bsBody_AndTheServerStaysUp()
    {
        using var api = server.Client();
        var random = new Random(Seed);
        using var http = server.CreateClient();
        var failures = new List<string>();
        for (var i = 0; i < Requests && failures.Count < 10; i++)
        {
            using var request = Malformed(random, out var what);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (status is < 400 or >= 500 || !IsE2bError(text, status))
            {
                failures.Add($"#{i} {what}: {status} {(text.Length > 200 ? text[..200] : text)}");
            }
        }

        Assert.True(failures.Count == 0, $"seed {Seed}:\n" + string.Join('\n', failures));
        (await api.GetAsync("/health", string.Empty)).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("running", await api.StateOfAsync(await api.CreateAsync()));
    }

    [Fact]
    public async Task CreateLimits_AreEachNamed_InOne400()
    {
        using var api = server.Client();
        var body = new
        {
            templateID = "base",
            envVars = new Dictionary<string, string> { ["BAD NAME"] = "x", ["1X"] = "y", ["A=B"] = "z", ["OK"] = "nul\u0000inside" },
            metadata = Enumerable.Range(0, 70).ToDictionary(i => $"k{i}", i => "v"),
        };
        var message = (await api.PostAsync("/v2/sandboxes", body)).AssertError(HttpStatusCode.BadRequest);
        foreach (var named in new[] { "'envVars' name 'BAD NAME'", "'envVars' name '1X'", "'envVars' name 'A=B'", "'envVars.OK'", "'metadata' may have at most 64" })
        {
            Assert.Contains(named, message, StringComparison.Ordinal);
        }

        var huge = (await api.PostAsync("/v2/sandboxes", new { templateID = "base", metadata = new Dictionary<string, string> { ["k"] = new string('v', 3000) } }))
            .AssertError(HttpStatusCode.BadRequest);
        Assert.Contains("'metadata.k' must be at most 2048 bytes", huge, StringComparison.Ordinal);

        var empty = (await api.PostAsync("/v2/sandboxes", new { templateID = "base", envVars = new Dictionary<string, string> { [""] = "x" } }))
            .AssertError(HttpStatusCode.BadRequest);
        Assert.Contains("'envVars' name ''", empty, StringComparison.Ordinal);

        // Past the body limit, before anything is parsed.
        using var tooBig = new HttpRequestMessage(HttpMethod.Post, "/v2/sandboxes")
        {
            Content = new StringContent("{\"templateID\":\"base\",\"metadata\":{\"k\":\"" + new string('v', 2 * 1024 * 1024) + "\"}}", Encoding.UTF8, "application/json"),
        };
        tooBig.Headers.Add("X-API-Key", ServerProcess.ApiKey);
        tooBig.Headers.ExpectContinue = true;
        (await api.SendRawAsync(tooBig)).AssertError(HttpStatusCode.RequestEntityTooLarge);
    }

    private static bool IsE2bError(string text, int status)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("code", out var code) && code.GetInt32() == status
                && document.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 };
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static HttpRequestMessage Malformed(Random random, out string what)
    {
        var key = ServerProcess.ApiKey;
        switch (random.Next(8))
        {
            case 0:
                {
                    // No key, or a wrong one, on any API route.
                    var path = random.Next(2) == 0 ? "/v2/sandboxes" : s_sandboxRoutes[random.Next(s_sandboxRoutes.Length)].Replace("{id}", "iabc", StringComparison.Ordinal);
                    var request = new HttpRequestMessage(random.Next(2) == 0 ? HttpMethod.Get : HttpMethod.Post, path);
                    if (random.Next(2) == 0)
                    {
                        request.Headers.TryAddWithoutValidation("X-API-Key", RandomText(random, random.Next(0, 80)));
                    }

                    what = $"{request.Method} {path} without a valid key";
                    return request;
                }

            case 1:
                {
                    // A create body that is not what it should be.
                    var path = s_bodyRoutes[random.Next(s_bodyRoutes.Length)];
                    var body = BadCreateBody(random);
                    what = $"POST {path} {body[..Math.Min(body.Length, 80)]}";
                    return WithKey(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") }, key);
                }

            case 2:
                {
                    // An unknown or malformed sandbox id on every sandbox route.
                    var route = s_sandboxRoutes[random.Next(s_sandboxRoutes.Length)];
                    var id = random.Next(2) == 0 ? s_badIds[random.Next(s_badIds.Length)] : "i" + RandomId(random);
                    var method = route.EndsWith('}') ? (random.Next(2) == 0 ? HttpMethod.Get : HttpMethod.Delete)
                        : route.EndsWith("metrics", StringComparison.Ordinal) || route.EndsWith("logs", StringComparison.Ordinal) ? HttpMethod.Get : HttpMethod.Post;
                    var path = route.Replace("{id}", id, StringComparison.Ordinal);
                    what = $"{method} {path}";
                    var request = WithKey(new HttpRequestMessage(method, path), key);
                    if (method == HttpMethod.Post)
                    {
                        request.Content = new StringContent(random.Next(2) == 0 ? "{\"timeout\": 30}" : "{}", Encoding.UTF8, "application/json");
                    }

                    return request;
                }

            case 3:
                {
                    // Paths no route has (escaped, so they stay paths).
                    var path = "/" + RandomText(random, random.Next(1, 40));
                    what = $"GET {path}";
                    return WithKey(new HttpRequestMessage(HttpMethod.Get, "/x" + Uri.EscapeDataString(path)), key);
                }

            case 4:
                {
                    // Methods a route does not take.
                    var (method, path) = random.Next(4) switch
                    {
                        0 => (HttpMethod.Put, "/v2/sandboxes"),
                        1 => (HttpMethod.Patch, "/sandboxes/iabc"),
                        2 => (HttpMethod.Delete, "/v2/sandboxes"),
                        _ => (HttpMethod.Put, "/sandboxes/iabc/timeout"),
                    };
                    what = $"{method} {path}";
                    return WithKey(new HttpRequestMessage(method, path), key);
                }

            case 5:
                {
                    // Sandbox routing headers that name no sandbox a request could reach.
                    var request = new HttpRequestMessage(HttpMethod.Get, "/health");
                    var id = s_badIds[random.Next(s_badIds.Length)];
                    id = id.All(char.IsAscii) ? id : Uri.EscapeDataString(id);
                    var port = random.Next(3) switch { 0 => "0", 1 => "70000", _ => RandomText(random, 5) };
                    if (random.Next(3) != 0)
                    {
                        request.Headers.TryAddWithoutValidation("E2b-Sandbox-Id", random.Next(2) == 0 ? id : "iabc");
                    }

                    request.Headers.TryAddWithoutValidation("E2b-Sandbox-Port", port);
                    what = $"sandbox traffic to id '{id}' port '{port}'";
                    return request;
                }

            case 6:
                {
                    var query = random.Next(5) switch
                    {
                        0 => "limit=" + Uri.EscapeDataString(RandomText(random, 3)),
                        1 => "limit=0",
                        2 => "state=" + Uri.EscapeDataString(RandomText(random, 6)),
                        3 => "nextToken=" + Uri.EscapeDataString(RandomText(random, 20)),
                        _ => "order=sideways",
                    };
                    what = $"GET /v2/sandboxes?{query}";
                    return WithKey(new HttpRequestMessage(HttpMethod.Get, "/v2/sandboxes?" + query), key);
                }

            default:
                {
                    // Bodies past the API's size limit.
                    var size = random.Next(1024 * 1024 + 1, 3 * 1024 * 1024);
                    what = $"POST /v2/sandboxes with {size} bytes";
                    var body = "{\"templateID\":\"base\",\"metadata\":{\"k\":\"" + new string('v', size) + "\"}}";
                    var request = WithKey(new HttpRequestMessage(HttpMethod.Post, "/v2/sandboxes") { Content = new StringContent(body, Encoding.UTF8, "application/json") }, key);

                    // The server answers 413 without reading the body; a client that waits to be asked for it gets the answer.
                    request.Headers.ExpectContinue = true;
                    return request;
                }
        }
    }

    private static string BadCreateBody(Random random) => random.Next(12) switch
    {
        0 => "{",
        1 => "[]",
        2 => "\"base\"",
        3 => "{\"templateID\": 42}",
        4 => "{\"templateID\": \"base\", \"timeout\": \"soon\"}",
        5 => "{\"templateID\": \"base\", \"timeout\": 99999999999}",
        6 => "{\"templateID\": \"base\", \"timeout\": -1}",
        7 => "{\"templateID\": \"base\", \"envVars\": {\"" + RandomText(random, 8).Replace("\"", string.Empty, StringComparison.Ordinal) + " =\": \"x\"}}",
        8 => "{\"templateID\": \"base\", \"metadata\": [1, 2]}",
        9 => "{\"templateID\": \"no-such-template-" + RandomId(random) + "\"}",
        10 => new string('[', 5000) + new string(']', 5000),
        _ => "{\"templateID\": \"\"}",
    };

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string key)
    {
        request.Headers.Add("X-API-Key", key);
        return request;
    }

    private static string RandomId(Random random) => new([.. Enumerable.Range(0, 20).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789"[random.Next(36)])]);

    private static string RandomText(Random random, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => (char)random.Next(0x21, 0x7f))]);
}
