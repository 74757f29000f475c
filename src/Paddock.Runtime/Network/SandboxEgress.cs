using System.Net;
using Paddock.Core.Network;

namespace Paddock.Runtime.Network;

/// <summary>One sandbox's network as the host holds it: its address and the rules it is held to.</summary>
internal sealed record SandboxEgress(string SandboxId, IPAddress Address, EgressPolicy Policy);
