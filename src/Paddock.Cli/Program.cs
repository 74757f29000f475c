using System.CommandLine;
using Paddock.Cli;
using Paddock.Client;

// paddock: the server, and sandboxes from the terminal. Connection settings come from --api-url and
// --api-key, else PADDOCK_API_URL/PADDOCK_API_KEY, else E2B's variables (as the SDK reads them).
var apiUrl = new Option<Uri?>("--api-url") { Description = "The Paddock (or E2B) API, e.g. http://127.0.0.1:3000", Recursive = true };
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
return await root.Parse(args).InvokeAsync();
