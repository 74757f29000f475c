using Paddock.Core.Errors;
using Paddock.Core.Sandboxes;

namespace Paddock.Core.Tests.Sandboxes;

public sealed class SandboxTransitionsTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    // Every phase a record can be in: the states, with a paused one frozen or kept on disk.
    private static readonly (SandboxState State, PauseKind? PausedAs)[] s_phases =
    [
        (SandboxState.Creating, null),
        (SandboxState.Running, null),
        (SandboxState.Paused, PauseKind.Memory),
        (SandboxState.Paused, PauseKind.Filesystem),
        (SandboxState.Killed, null),
    ];

    public static TheoryData<SandboxState, PauseKind?, SandboxAction, SandboxState?, PauseKind?> Table()
    {
        var frozen = (SandboxState.Paused, (PauseKind?)PauseKind.Memory);
        var onDisk = (SandboxState.Paused, (PauseKind?)PauseKind.Filesystem);
        var running = (SandboxState.Running, (PauseKind?)null);
        var killed = (SandboxState.Killed, (PauseKind?)null);
        var allowed = new Dictionary<((SandboxState, PauseKind?), SandboxAction), (SandboxState, PauseKind?)>
        {
            [((SandboxState.Creating, null), SandboxAction.Start)] = running,
            [((SandboxState.Creating, null), SandboxAction.Kill)] = killed,
            [(running, SandboxAction.Pause)] = frozen,
            [(running, SandboxAction.PauseToDisk)] = onDisk,
            [(running, SandboxAction.LoseProcesses)] = onDisk,
            [(running, SandboxAction.Kill)] = killed,
            [(running, SandboxAction.SetTimeout)] = running,
            [(running, SandboxAction.Extend)] = running,
            [(running, SandboxAction.UpdateNetwork)] = running,
            [(frozen, SandboxAction.UpdateNetwork)] = frozen,
            [(onDisk, SandboxAction.UpdateNetwork)] = onDisk,
            [(frozen, SandboxAction.Resume)] = running,
            [(frozen, SandboxAction.Demote)] = onDisk,
            [(frozen, SandboxAction.LoseProcesses)] = onDisk,
            [(frozen, SandboxAction.Kill)] = killed,
            [(onDisk, SandboxAction.Resume)] = running,
            [(onDisk, SandboxAction.Kill)] = killed,
        };
        var data = new TheoryData<SandboxState, PauseKind?, SandboxAction, SandboxState?, PauseKind?>();
        foreach (var phase in s_phases)
        {
            foreach (var action in Enum.GetValues<SandboxAction>())
            {
                if (allowed.TryGetValue((phase, action), out var to))
                {
                    data.Add(phase.State, phase.PausedAs, action, to.Item1, to.Item2);
                }
                else
                {
                    data.Add(phase.State, phase.PausedAs, action, null, null);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void EveryPhaseAndAction_MovesAsTheTableSays_OrIsAConflict(SandboxState from, PauseKind? pausedAs, SandboxAction action, SandboxState? to, PauseKind? toPausedAs)
    {
        var record = Record(from, pausedAs);
        SandboxRecord Apply() => action switch
        {
            SandboxAction.Start => record.Started(s_now, s_now.AddMinutes(5)),
            SandboxAction.Pause => record.Paused(s_now),
            SandboxAction.PauseToDisk => record.Paused(s_now, PauseKind.Filesystem),
            SandboxAction.Demote => record.Demoted(),
            SandboxAction.LoseProcesses => record.LostProcesses(s_now),
            SandboxAction.Resume => record.Resumed(s_now, s_now.AddMinutes(5)),
            SandboxAction.Kill => record.Killed(s_now, KillReason.Request),
            SandboxAction.SetTimeout => record.TimesOutAt(s_now.AddMinutes(1)),
            SandboxAction.UpdateNetwork => record.WithEgress(new Paddock.Core.Network.EgressRules { DenyOut = ["0.0.0.0/0"] }),
            _ => record.ExtendedTo(s_now.AddMinutes(1)),
        };

        if (to is { } target)
        {
            var moved = Apply();
            Assert.Equal((target, toPausedAs), (moved.State, moved.PausedAs));
        }
        else
        {
            var conflict = Assert.Throws<SandboxConflictException>(Apply);
            Assert.Equal((record.Id, from, action, ErrorKind.Conflict), (conflict.SandboxId, conflict.State, conflict.Action, conflict.Kind));
        }
    }

    [Fact]
    public void Demoted_KeepsWhenItWasPaused_SoRetentionCountsFromThePause()
    {
        var frozen = Record(SandboxState.Running, null).Paused(s_now);
        var demoted = frozen.Demoted();
        Assert.Equal(s_now, demoted.PausedAt);
        Assert.Equal(s_now.AddDays(30), demoted.NextDeadline(TimeSpan.FromDays(30), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Frozen_IsDueForDemotion_AfterFreezeFor_AndOnlyWhenThatComesBeforeRetention()
    {
        var frozen = Record(SandboxState.Running, null).Paused(s_now);
        Assert.Equal(s_now.AddHours(1), frozen.NextDeadline(TimeSpan.FromDays(30), TimeSpan.FromHours(1)));
        Assert.Equal(s_now.AddDays(30), frozen.NextDeadline(TimeSpan.FromDays(30), null));
        Assert.Equal(s_now.AddMinutes(10), frozen.NextDeadline(TimeSpan.FromMinutes(10), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void LostProcesses_OfARunningSandbox_IsPausedFromNow_OfAPausedOne_SinceItsPause()
    {
        var running = Record(SandboxState.Running, null);
        Assert.Equal(s_now.AddMinutes(3), running.LostProcesses(s_now.AddMinutes(3)).PausedAt);
        var frozen = running.Paused(s_now.AddMinutes(1));
        Assert.Equal(s_now.AddMinutes(1), frozen.LostProcesses(s_now.AddMinutes(3)).PausedAt);
    }

    [Fact]
    public void Resumed_AndKilled_ClearThePauseKind()
    {
        var onDisk = Record(SandboxState.Running, null).Paused(s_now, PauseKind.Filesystem);
        Assert.Null(onDisk.Resumed(s_now, s_now.AddMinutes(5)).PausedAs);
        Assert.Null(onDisk.Killed(s_now, KillReason.Request).PausedAs);
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

    private static SandboxRecord Record(SandboxState state, PauseKind? pausedAs = null) => new()
    {
        Id = "itransitions",
        TemplateId = "base",
        State = state,
        PausedAs = pausedAs,
        StartedAt = s_now,
        EndAt = state == SandboxState.Creating ? null : s_now.AddMinutes(5),
        PausedAt = state == SandboxState.Paused ? s_now : null,
        CreatedAt = s_now,
        CpuCount = 1,
        MemoryMB = 256,
        EnvdVersion = "0.6.13",
    };
}
