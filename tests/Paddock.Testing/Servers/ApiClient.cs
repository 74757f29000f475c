using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Paddock.Testing.Servers;

/// <summary>A thin HTTP client for the REST API that returns status, body and headers as they came.</summary>
public sealed class ApiClient(HttpClient http, string apiKey) : IDisposable
{
    private readonly HttpClient _http = http;

    /// <summary>A client of a server at <paramref name="baseAddress"/>.</summary>
    public ApiClient(Uri baseAddress, string apiKey)
        : this(new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(15) }, apiKey)
    {
    }

    public Task<ApiResponse> GetAsync(string path, string? key = null) => SendAsync(HttpMethod.Get, path, null, key);

    public Task<ApiResponse> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    public Task<ApiResponse> PostAsync(string path, object? body = null) =>
        SendAsync(HttpMethod.Post, path, body is null ? null : JsonSerializer.Serialize(body));

    public Task<ApiResponse> PostRawAsync(string path, string body) => SendAsync(HttpMethod.Post, path, body);

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? json, string? key = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key != string.Empty)
        {
            request.Headers.Add("X-API-Key", key ?? apiKey);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        return await ReadAsync(response);
    }

    private static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonElement? body = null;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            body = JsonDocument.Parse(text).RootElement.Clone();
        }

        var headers = response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new ApiResponse(response.StatusCode, text, body, headers);
    }

    /// <summary>Sends a prepared request as it is (no API key added).</summary>
    public async Task<ApiResponse> SendRawAsync(HttpRequestMessage request)
    {
        using var response = await _http.SendAsync(request);
        return await ReadAsync(response);
    }

    /// <summary>Creates a sandbox and returns its id, failing the test on anything but 201.</summary>
    public async Task<string> CreateAsync(object? body = null)
    {
        var response = await PostAsync("/v2/sandboxes", body ?? new { templateID = "base" });
        response.AssertStatus(HttpStatusCode.Created);
        return response.Json.GetProperty("sandboxID").GetString()!;
    }

    public async Task<string> StateOfAsync(string id)
    {
        var response = await GetAsync($"/sandboxes/{id}");
        return response.Status == HttpStatusCode.NotFound ? "gone" : response.Json.GetProperty("state").GetString()!;
    }

    /// <summary>Polls until the sandbox reaches <paramref name="state"/> ("gone" for killed).</summary>
    public async Task WaitForStateAsync(string id, string state, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        string current;
        while ((current = await StateOfAsync(id)) != state)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"sandbox {id} is {current}, expected {state} within {within}");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose() => _http.Dispose();
}

public sealed record ApiResponse(HttpStatusCode Status, string Text, JsonElement? Body, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Json => Body ?? throw new Xunit.Sdk.XunitException($"expected a JSON body, got {(int)Status}: {Text}");

    public ApiResponse AssertStatus(HttpStatusCode expected)
    {
        if (Status != expected)
        {
            throw new Xunit.Sdk.XunitException($"expected {(int)expected}, got {(int)Status}: {Text}");
        }

        return this;
    }

    /// <summary>Asserts E2B's error body: the same code in the body as in the status, and a message.</summary>
    public string AssertError(HttpStatusCode expected)
    {
        AssertStatus(expected);
        Assert.Equal((int)expected, Json.GetProperty("code").GetInt32());
        var message = Json.GetProperty("message").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message!;
    }
}
