using System.CommandLine;
using Paddock.Cli;
using Paddock.Client;

// paddock: the server, and sandboxes from the terminal. Connection settings come from --api-url and
// --api-key, else PADDOCK_API_URL/PADDOCK_API_KEY, else E2B's variables (as the SDK reads them).
var apiUrl = new Option<Uri?>("--api-url")
{
    Description = "The Paddock (or E2B) API, e.g. http://127.0.0.1:3000",
    Recursive = true,

    // System.CommandLine has no converter for Uri: without this every value is refused.
    CustomParser = result =>
    {
        var text = result.Tokens[^1].Value;
        var url = ApiUrl.Parse(text);
        if (url is null)
        {
            result.AddError($"--api-url must be an http(s) URL such as http://127.0.0.1:3000, not '{text}'");
        }

        return url;
    },
};
var apiKey = new Option<string?>("--api-key") { Description = "The API key (e2b_…)", Recursive = true };

ConnectionOptions Connection(ParseResult parse)
{
    var options = ConnectionOptions.FromEnvironment();
    if (parse.GetValue(apiUrl) is { } url)
    {
        options = options with { ApiUrl = url, SandboxUrl = url };
    }

    return parse.GetValue(apiKey) is { } key ? options with { ApiKey = key } : options;
}

// Piped tables keep one line per row, for grep and friends.
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = 240;
}

var root = new RootCommand("Paddock: isolated code-execution sandboxes") { apiUrl, apiKey };
root.Subcommands.Add(ServerCommand.Build());
root.Subcommands.Add(SandboxCommands.Build(Connection));
root.Subcommands.Add(TemplateCommands.Build(Connection));
root.Subcommands.Add(SnapshotCommands.Build(Connection));
var parsed = root.Parse(args);
return ParseErrors.Found(parsed) ? await ParseErrors.ReportAsync(parsed) : await parsed.InvokeAsync();
