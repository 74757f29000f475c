using Paddock.Core.Errors;
using Paddock.Core.Sandboxes;

namespace Paddock.Core.Tests.Sandboxes;

public sealed class SandboxTransitionsTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<SandboxState, SandboxAction, SandboxState?> Table()
    {
        var allowed = new Dictionary<(SandboxState, SandboxAction), SandboxState>
        {
            [(SandboxState.Creating, SandboxAction.Start)] = SandboxState.Running,
            [(SandboxState.Creating, SandboxAction.Kill)] = SandboxState.Killed,
            [(SandboxState.Running, SandboxAction.Pause)] = SandboxState.Paused,
            [(SandboxState.Running, SandboxAction.Kill)] = SandboxState.Killed,
            [(SandboxState.Running, SandboxAction.SetTimeout)] = SandboxState.Running,
            [(SandboxState.Running, SandboxAction.Extend)] = SandboxState.Running,
            [(SandboxState.Running, SandboxAction.UpdateNetwork)] = SandboxState.Running,
            [(SandboxState.Paused, SandboxAction.UpdateNetwork)] = SandboxState.Paused,
            [(SandboxState.Paused, SandboxAction.Resume)] = SandboxState.Running,
            [(SandboxState.Paused, SandboxAction.Kill)] = SandboxState.Killed,
        };
        var data = new TheoryData<SandboxState, SandboxAction, SandboxState?>();
        foreach (var state in Enum.GetValues<SandboxState>())
        {
            foreach (var action in Enum.GetValues<SandboxAction>())
            {
                data.Add(state, action, allowed.TryGetValue((state, action), out var to) ? to : null);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void EveryStateAndAction_MovesAsTheTableSays_OrIsAConflict(SandboxState from, SandboxAction action, SandboxState? to)
    {
        var record = Record(from);
        SandboxRecord Apply() => action switch
        {
            SandboxAction.Start => record.Started(s_now, s_now.AddMinutes(5)),
            SandboxAction.Pause => record.Paused(s_now),
            SandboxAction.Resume => record.Resumed(s_now, s_now.AddMinutes(5)),
            SandboxAction.Kill => record.Killed(s_now, KillReason.Request),
            SandboxAction.SetTimeout => record.TimesOutAt(s_now.AddMinutes(1)),
            SandboxAction.UpdateNetwork => record.WithEgress(new Paddock.Core.Network.EgressRules { DenyOut = ["0.0.0.0/0"] }),
            _ => record.ExtendedTo(s_now.AddMinutes(1)),
        };

        if (to is { } target)
        {
            Assert.Equal(target, Apply().State);
        }
        else
        {
            var conflict = Assert.Throws<SandboxConflictException>(Apply);
            Assert.Equal((record.Id, from, action, ErrorKind.Conflict), (conflict.SandboxId, conflict.State, conflict.Action, conflict.Kind));
        }
    }

    [Fact]
    public void Killed_RecordsWhenAndWhy_AndKeepsTheDeadlineItHad()
    {
        var running = Record(SandboxState.Creating).Started(s_now, s_now.AddMinutes(5));
        var killed = running.Killed(s_now.AddMinutes(1), KillReason.AgentExited, "its init ended");
        Assert.Equal((s_now.AddMinutes(1), KillReason.AgentExited, "its init ended"), (killed.EndedAt!.Value, killed.KillReason!.Value, killed.KillMessage!));
        Assert.Equal(s_now.AddMinutes(5), killed.EndAt);
        Assert.Null(killed.NextDeadline(TimeSpan.FromDays(30)));
    }

    private static SandboxRecord Record(SandboxState state) => new()
    {
        Id = "itransitions",
        TemplateId = "base",
        State = state,
        StartedAt = s_now,
        EndAt = state == SandboxState.Creating ? null : s_now.AddMinutes(5),
        PausedAt = state == SandboxState.Paused ? s_now : null,
        CreatedAt = s_now,
        CpuCount = 1,
        MemoryMB = 256,
        EnvdVersion = "0.6.13",
    };
}
