using System.Net;
using System.Net.Sockets;
using Paddock.Agent.Sleep;

namespace Paddock.Agent.Tests;

/// <summary>The door every connection to the agent comes in by, which the agent shuts before it sleeps.</summary>
public sealed class AcceptGateTests : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly AcceptGate _gate = new();

    public AcceptGateTests()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
    }

    public void Dispose()
    {
        _gate.Dispose();
        _listener.Dispose();
    }

    [Fact]
    public async Task Shut_CancelsThePendingAccept_AndAClientWaitsInTheQueueUntilItOpens()
    {
        var accepting = _gate.AcceptAsync(_listener.AcceptAsync, CancellationToken.None).AsTask();
        Assert.True(await _gate.CloseAsync(), "no connection was inside");

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(_listener.LocalEndPoint!);
        await Task.Delay(200);
        Assert.False(accepting.IsCompleted, "a connection was accepted while the door was shut");

        _gate.Open();
        using var accepted = await accepting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(client.LocalEndPoint, accepted.RemoteEndPoint);
        Assert.Equal(1, _gate.Connections);

        _gate.Ended();
        Assert.Equal(0, _gate.Connections);
    }

    [Fact]
    public async Task Shut_SaysSoWhenAConnectionIsInside()
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(_listener.LocalEndPoint!);
        using var accepted = await _gate.AcceptAsync(_listener.AcceptAsync, CancellationToken.None);
        var before = _gate.LastChange;

        Assert.False(await _gate.CloseAsync());
        _gate.Open();
        _gate.Ended();
        Assert.True(await _gate.CloseAsync());
        Assert.True(_gate.LastChange >= before);
    }

    [Fact]
    public async Task TheCallersCancellation_EndsAnAccept_WhateverTheDoor()
    {
        using var stop = new CancellationTokenSource();
        var accepting = _gate.AcceptAsync(_listener.AcceptAsync, stop.Token).AsTask();
        await _gate.CloseAsync();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
