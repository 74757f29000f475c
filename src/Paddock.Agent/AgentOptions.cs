namespace Paddock.Agent;

/// <summary>
/// Where the agent listens, from its command line. In a sandbox (<c>--host-fds</c>) the host hands it its
/// listeners and settings as open descriptors: <c>agent.sock</c>'s listener on 3, <c>tunnel.sock</c>'s on 4,
/// <c>init.json</c> on 5; their files live where nothing in the sandbox can reach them. Run by hand or by
/// the agent's tests (<c>--channel DIR</c>), it binds both sockets in DIR and reads DIR/init.json.
/// </summary>
internal sealed record AgentOptions(string ChannelDir, bool HostFds, int Port, int InterpreterPort)
{
    /// <summary>Set when the agent starts asleep (<c>--asleep</c>): it only waits for a connection (see Sleep.Dormant).</summary>
    public Sleep.SleepDescriptors? Asleep { get; init; }

    /// <summary>Set when the agent wakes from a sleep (<c>--woken</c>): its listeners and state are open already.</summary>
    public Sleep.SleepDescriptors? Woken { get; init; }

    /// <summary>envd's port inside the sandbox.</summary>
    public const int EnvdPort = 49983;

    /// <summary>The code interpreter's port inside the sandbox, as E2B's.</summary>
    public const int CodeInterpreterPort = 49999;

    /// <summary>The descriptors the host passes (<c>--host-fds</c>).</summary>
    public const int AgentListenerFd = 3;

    /// <inheritdoc cref="AgentListenerFd"/>
    public const int TunnelListenerFd = 4;

    /// <inheritdoc cref="AgentListenerFd"/>
    public const int InitFd = 5;

    /// <summary>The agent's own HTTP endpoint on the channel.</summary>
    public string AgentSocket => Path.Combine(ChannelDir, "agent.sock");

    /// <summary>The raw tunnel to any port inside the sandbox.</summary>
    public string TunnelSocket => Path.Combine(ChannelDir, "tunnel.sock");

    /// <summary>Settings left before start (env vars, access token, default user), in channel-directory mode.</summary>
    public string InitFile => Path.Combine(ChannelDir, "init.json");

    public static AgentOptions Parse(string[] args)
    {
        var channel = "/run/paddock";
        var hostFds = false;
        var port = EnvdPort;
        var interpreterPort = CodeInterpreterPort;
        Sleep.SleepDescriptors? asleep = null;
        Sleep.SleepDescriptors? woken = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--host-fds":
                    hostFds = true;
                    break;
                case "--channel" when i + 1 < args.Length:
                    channel = args[++i];
                    break;
                case "--port" when i + 1 < args.Length:
                    port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--interpreter-port" when i + 1 < args.Length:
                    interpreterPort = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--asleep" when i + 1 < args.Length:
                    asleep = Sleep.SleepDescriptors.Parse(args[++i]);
                    break;
                case "--woken" when i + 1 < args.Length:
                    woken = Sleep.SleepDescriptors.Parse(args[++i]);
                    break;
            }
        }

        return new AgentOptions(channel, hostFds, port, interpreterPort) { Asleep = asleep, Woken = woken };
    }
}
