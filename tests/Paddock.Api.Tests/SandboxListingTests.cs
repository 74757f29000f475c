using System.Net;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

public sealed class SandboxListingTests(InProcessServer server) : IClassFixture<InProcessServer>, IDisposable
{
    private readonly ApiClient _api = server.Client();

    private ApiClient Api => _api;

    public void Dispose() => _api.Dispose();

    // E2B's SDKs encode each key and value, join them with URLSearchParams, and encode the query value again.
    private static string EncodeMetadataLikeE2b(Dictionary<string, string> metadata)
    {
        var joined = string.Join("&", metadata.Select(kv =>
            Uri.EscapeDataString(Uri.EscapeDataString(kv.Key)) + "=" + Uri.EscapeDataString(Uri.EscapeDataString(kv.Value))));
        return Uri.EscapeDataString(joined);
    }

    private static string[] Ids(ApiResponse response) =>
        response.Json.EnumerateArray().Select(s => s.GetProperty("sandboxID").GetString()!).ToArray();

    [Fact]
    public async Task List_FiltersAndPaginates_LikeE2b()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var tricky = new Dictionary<string, string> { ["user id"] = "a&b=c", ["run"] = tag };
        var ids = new List<string>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                ids.Add(await Api.CreateAsync(new { templateID = "base", metadata = new Dictionary<string, string> { ["run"] = tag, ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) } }));
            }

            var trickyId = await Api.CreateAsync(new { templateID = "base", metadata = tricky });
            ids.Add(trickyId);
            (await Api.PostAsync($"/sandboxes/{ids[1]}/pause")).AssertStatus(HttpStatusCode.NoContent);

            var byRun = EncodeMetadataLikeE2b(new() { ["run"] = tag });

            // No state: running and paused, newest first.
            var all = await Api.GetAsync($"/v2/sandboxes?metadata={byRun}");
            Assert.Equal(ids.AsEnumerable().Reverse().ToArray(), Ids(all));
            Assert.Equal("5", all.Headers["X-Total-Running"]);
            Assert.False(all.Headers.ContainsKey("X-Next-Token"));

            Assert.Equal([ids[1]], Ids(await Api.GetAsync($"/v2/sandboxes?state=paused&metadata={byRun}")));
            var running = Ids(await Api.GetAsync($"/v2/sandboxes?state=running&metadata={byRun}"));
            Assert.Equal(5, running.Length);
            Assert.DoesNotContain(ids[1], running);

            // Metadata that needs encoding, matched exactly.
            Assert.Equal([trickyId], Ids(await Api.GetAsync($"/v2/sandboxes?metadata={EncodeMetadataLikeE2b(tricky)}")));
            Assert.Empty(Ids(await Api.GetAsync($"/v2/sandboxes?metadata={EncodeMetadataLikeE2b(new() { ["user id"] = "a&b" })}")));

            // Pages of 2 across the 6, newest first, then oldest first.
            foreach (var order in new[] { "desc", "asc" })
            {
                var seen = new List<string>();
                string? token = null;
                var pages = 0;
                do
                {
                    var page = await Api.GetAsync($"/v2/sandboxes?metadata={byRun}&limit=2&order={order}" + (token is null ? string.Empty : $"&nextToken={Uri.EscapeDataString(token)}"));
                    page.AssertStatus(HttpStatusCode.OK);
                    seen.AddRange(Ids(page));
                    token = page.Headers.GetValueOrDefault("X-Next-Token");
                    pages++;
                }
                while (token is not null);

                Assert.Equal(3, pages);
                var expected = order == "desc" ? ids.AsEnumerable().Reverse().ToArray() : ids.ToArray();
                Assert.Equal(expected, seen.ToArray());
            }

            // A token of one order is refused in the other.
            var descToken = (await Api.GetAsync($"/v2/sandboxes?metadata={byRun}&limit=2")).Headers["X-Next-Token"];
            (await Api.GetAsync($"/v2/sandboxes?metadata={byRun}&limit=2&order=asc&nextToken={Uri.EscapeDataString(descToken)}")).AssertError(HttpStatusCode.BadRequest);

            // startedAfter is inclusive; template accepts the id or an alias.
            var third = (await Api.GetAsync($"/sandboxes/{ids[3]}")).Json.GetProperty("startedAt").GetString()!;
            Assert.Equal(ids.Skip(3).Reverse().ToArray(), Ids(await Api.GetAsync($"/v2/sandboxes?metadata={byRun}&startedAfter={Uri.EscapeDataString(third)}")));
            Assert.Equal(6, Ids(await Api.GetAsync($"/v2/sandboxes?metadata={byRun}&template=code-interpreter-v1")).Length);
            Assert.Empty(Ids(await Api.GetAsync($"/v2/sandboxes?metadata={byRun}&template=other")));

            // limit above 100 is clamped, not refused.
            (await Api.GetAsync($"/v2/sandboxes?metadata={byRun}&limit=1000")).AssertStatus(HttpStatusCode.OK);

            // The deprecated list: running only.
            var v1 = Ids(await Api.GetAsync($"/sandboxes?metadata={byRun}"));
            Assert.Equal(5, v1.Length);
            Assert.DoesNotContain(ids[1], v1);

            // Killed sandboxes drop out of the default listing, but stay as history when asked for.
            await Api.DeleteAsync($"/sandboxes/{ids[0]}");
            Assert.DoesNotContain(ids[0], Ids(await Api.GetAsync($"/v2/sandboxes?metadata={byRun}")));
            var killed = (await Api.GetAsync($"/v2/sandboxes?state=killed&metadata={byRun}")).Json;
            Assert.Equal("killed", Assert.Single(killed.EnumerateArray()).GetProperty("state").GetString());
        }
        finally
        {
            foreach (var id in ids)
            {
                await Api.DeleteAsync($"/sandboxes/{id}");
            }
        }
    }
}
