namespace Paddock.Agent;

/// <summary>Where the agent listens, from its command line.</summary>
internal sealed record AgentOptions(string ChannelDir, int Port, int InterpreterPort)
{
    /// <summary>envd's port inside the sandbox.</summary>
    public const int EnvdPort = 49983;

    /// <summary>The code interpreter's port inside the sandbox, as E2B's.</summary>
    public const int CodeInterpreterPort = 49999;

    /// <summary>The agent's own HTTP endpoint on the host channel.</summary>
    public string AgentSocket => Path.Combine(ChannelDir, "agent.sock");

    /// <summary>The raw tunnel to any port inside the sandbox.</summary>
    public string TunnelSocket => Path.Combine(ChannelDir, "tunnel.sock");

    /// <summary>Settings the host leaves before start (env vars, access token, default user).</summary>
    public string InitFile => Path.Combine(ChannelDir, "init.json");

    public static AgentOptions Parse(string[] args)
    {
        var channel = "/run/paddock";
        var port = EnvdPort;
        var interpreterPort = CodeInterpreterPort;
        for (var i = 0; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--channel":
                    channel = args[++i];
                    break;
                case "--port":
                    port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--interpreter-port":
                    interpreterPort = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
            }
        }

        return new AgentOptions(channel, port, interpreterPort);
    }
}
