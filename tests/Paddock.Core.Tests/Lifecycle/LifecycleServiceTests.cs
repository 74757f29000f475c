using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Paddock.Core.Errors;
using Paddock.Core.Lifecycle;
using Paddock.Core.Logs;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Paddock.Testing;
using Paddock.Testing.Fakes;

namespace Paddock.Core.Tests.Lifecycle;

public sealed class LifecycleServiceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemorySandboxStore _store = new();
    private readonly FakeRuntime _runtime = new();
    private readonly InMemorySandboxLogStore _log = new();
    private readonly LifecycleOptions _options = new() { MaxLifetime = TimeSpan.FromHours(24), PausedRetention = TimeSpan.FromDays(30) };
    private readonly RunningSandboxes _running = new();
    private readonly LifecycleService _lifecycle;

    public LifecycleServiceTests()
    {
        _lifecycle = new LifecycleService(
            _store, _runtime, new FakeTemplates(), new SandboxEvents(_log, _time, NullLogger<SandboxEvents>.Instance), _running, _options, _time, NullLogger<LifecycleService>.Instance);
    }

    public void Dispose() => _lifecycle.Dispose();

    private Task<SandboxRecord> CreateAsync(int timeout = 300, bool autoPause = false) =>
        _lifecycle.CreateAsync(new CreateSandboxCommand { Template = "base", Timeout = TimeSpan.FromSeconds(timeout), AutoPause = autoPause }, CancellationToken.None);

    private SandboxRecord Stored(string id) => _store.Records[id];

    [Fact]
    public async Task Create_StartsTimeoutClockWhenReady()
    {
        var t0 = _time.GetUtcNow();
        _runtime.DuringCreate = () => _time.Advance(TimeSpan.FromSeconds(3));

        var sandbox = await CreateAsync(timeout: 60);

        Assert.Equal(SandboxState.Running, sandbox.State);
        Assert.Equal(t0.AddSeconds(3), sandbox.StartedAt);
        Assert.Equal(t0.AddSeconds(63), sandbox.EndAt);
        Assert.Equal(RuntimeSandboxStatus.Running, _runtime.Containers[sandbox.Id]);
        Assert.Equal(sandbox.EndAt, _lifecycle.Scheduler.DeadlineOf(sandbox.Id));
    }

    [Fact]
    public async Task Usage_OfASandboxKilledWhileSampled_IsNoSample_NotAnError()
    {
        var killed = await CreateAsync(timeout: 60);
        _runtime.DuringUsage = id => _lifecycle.KillAsync(id, CancellationToken.None);
        Assert.Null(await _lifecycle.GetUsageAsync(killed.Id, CancellationToken.None));

        // A running sandbox whose sample fails is still an error.
        var running = await CreateAsync(timeout: 60);
        _runtime.DuringUsage = _ => throw new IOException("cgroup unreadable");
        await Assert.ThrowsAsync<IOException>(() => _lifecycle.GetUsageAsync(running.Id, CancellationToken.None));
        _runtime.DuringUsage = null;
        Assert.NotNull(await _lifecycle.GetUsageAsync(running.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Create_WithAlias_ResolvesTemplateId_AndRecordsAlias()
    {
        var sandbox = await _lifecycle.CreateAsync(new CreateSandboxCommand { Template = "code-interpreter-v1", Timeout = TimeSpan.FromSeconds(10) }, CancellationToken.None);
        Assert.Equal("base", sandbox.TemplateId);
        Assert.Equal("code-interpreter-v1", sandbox.Alias);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(86401)]
    public async Task Create_RejectsTimeoutOutOfRange(int timeout)
    {
        var ex = await Assert.ThrowsAnyAsync<PaddockException>(() => CreateAsync(timeout));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Empty(_store.Records);
    }

    [Fact]
    public async Task Create_UnknownTemplate_IsNotFound()
    {
        var ex = await Assert.ThrowsAnyAsync<PaddockException>(() =>
            _lifecycle.CreateAsync(new CreateSandboxCommand { Template = "nope", Timeout = TimeSpan.FromSeconds(10) }, CancellationToken.None));
        Assert.Equal(ErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task Create_RuntimeFailure_RecordsReason_AndReportsInternalError()
    {
        _runtime.FailCreateWith = "no space";
        var ex = await Assert.ThrowsAnyAsync<PaddockException>(() => CreateAsync());
        Assert.Equal(ErrorKind.Internal, ex.Kind);
        Assert.Equal("sandbox_create_failed", ex.ErrorCode);
        var record = Assert.Single(_store.Records.Values);
        Assert.Equal(SandboxState.Killed, record.State);
        Assert.Equal(KillReason.CreateFailed, record.KillReason);
        Assert.Equal("no space", record.KillMessage);
    }

    [Fact]
    public async Task SetTimeout_Shortens_AndExpiryKills()
    {
        var sandbox = await CreateAsync(timeout: 300);
        await _lifecycle.SetTimeoutAsync(sandbox.Id, TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.Equal(_time.GetUtcNow().AddSeconds(2), Stored(sandbox.Id).EndAt);

        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Equal(SandboxState.Running, Stored(sandbox.Id).State);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(SandboxState.Killed, Stored(sandbox.Id).State);
        Assert.Equal(KillReason.Timeout, Stored(sandbox.Id).KillReason);
        Assert.False(_runtime.Containers.ContainsKey(sandbox.Id));
    }

    [Fact]
    public async Task SetTimeout_Extends()
    {
        var sandbox = await CreateAsync(timeout: 10);
        await _lifecycle.SetTimeoutAsync(sandbox.Id, TimeSpan.FromSeconds(1000), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(500));
        Assert.Equal(SandboxState.Running, Stored(sandbox.Id).State);
    }

    [Fact]
    public async Task SetTimeout_IsClippedToMaxLifetime()
    {
        _options.MaxLifetime = TimeSpan.FromHours(1);
        var sandbox = await CreateAsync(timeout: 3600);
        _time.Advance(TimeSpan.FromMinutes(30));
        await _lifecycle.SetTimeoutAsync(sandbox.Id, TimeSpan.FromSeconds(3600), CancellationToken.None);
        Assert.Equal(sandbox.StartedAt.AddHours(1), Stored(sandbox.Id).EndAt);
    }

    [Fact]
    public async Task Connect_NeverShortens_ButExtends()
    {
        var sandbox = await CreateAsync(timeout: 300);
        var result = await _lifecycle.ConnectAsync(sandbox.Id, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.False(result.Resumed);
        Assert.Equal(sandbox.EndAt, result.Sandbox.EndAt);

        result = await _lifecycle.ConnectAsync(sandbox.Id, TimeSpan.FromSeconds(600), CancellationToken.None);
        Assert.Equal(_time.GetUtcNow().AddSeconds(600), result.Sandbox.EndAt);
    }

    [Fact]
    public async Task Extend_NeverShortens()
    {
        var sandbox = await CreateAsync(timeout: 5);
        await _lifecycle.ExtendAsync(sandbox.Id, TimeSpan.FromSeconds(15), CancellationToken.None);
        Assert.Equal(_time.GetUtcNow().AddSeconds(15), Stored(sandbox.Id).EndAt);

        await _lifecycle.ExtendAsync(sandbox.Id, TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Equal(_time.GetUtcNow().AddSeconds(15), Stored(sandbox.Id).EndAt);

        await _lifecycle.PauseAsync(sandbox.Id, CancellationToken.None);
        var paused = await Assert.ThrowsAsync<SandboxConflictException>(() => _lifecycle.ExtendAsync(sandbox.Id, TimeSpan.FromSeconds(15), CancellationToken.None));
        Assert.Equal((SandboxState.Paused, SandboxAction.Extend), (paused.State, paused.Action));
    }

    [Fact]
    public async Task AutoPause_PausesOnTimeout_ThenRetentionDeletes()
    {
        var sandbox = await CreateAsync(timeout: 5, autoPause: true);
        _time.Advance(TimeSpan.FromSeconds(5));

        var paused = Stored(sandbox.Id);
        Assert.Equal(SandboxState.Paused, paused.State);
        Assert.Equal(_time.GetUtcNow(), paused.EndAt);
        Assert.Equal(RuntimeSandboxStatus.Paused, _runtime.Containers[sandbox.Id]);

        _time.Advance(TimeSpan.FromDays(30));
        Assert.Equal(SandboxState.Killed, Stored(sandbox.Id).State);
        Assert.Equal(KillReason.RetentionExpired, Stored(sandbox.Id).KillReason);
        Assert.False(_runtime.Containers.ContainsKey(sandbox.Id));
    }

    [Fact]
    public async Task Connect_ResumesPaused_WithFreshTimeout()
    {
        var sandbox = await CreateAsync(timeout: 5, autoPause: true);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(SandboxState.Paused, Stored(sandbox.Id).State);

        var result = await _lifecycle.ConnectAsync(sandbox.Id, TimeSpan.FromSeconds(60), CancellationToken.None);
        Assert.True(result.Resumed);
        Assert.Equal(SandboxState.Running, result.Sandbox.State);
        Assert.Equal(_time.GetUtcNow().AddSeconds(60), result.Sandbox.EndAt);
        Assert.Equal(RuntimeSandboxStatus.Running, _runtime.Containers[sandbox.Id]);

        // It pauses again on its new timeout: resume is safe to repeat.
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(SandboxState.Paused, Stored(sandbox.Id).State);
    }

    [Fact]
    public async Task Pause_Twice_IsConflict_Resume_Running_IsConflict()
    {
        var sandbox = await CreateAsync();
        await _lifecycle.PauseAsync(sandbox.Id, CancellationToken.None);
        var again = await Assert.ThrowsAsync<SandboxConflictException>(() => _lifecycle.PauseAsync(sandbox.Id, CancellationToken.None));
        Assert.Equal(ErrorKind.Conflict, again.Kind);
        Assert.Equal((SandboxState.Paused, SandboxAction.Pause), (again.State, again.Action));

        await _lifecycle.ResumeAsync(sandbox.Id, TimeSpan.FromSeconds(30), CancellationToken.None);
        var running = await Assert.ThrowsAsync<SandboxConflictException>(() => _lifecycle.ResumeAsync(sandbox.Id, TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal((SandboxState.Running, SandboxAction.Resume), (running.State, running.Action));
    }

    [Fact]
    public async Task Kill_ThenEverything_IsNotFound_WithReason()
    {
        var sandbox = await CreateAsync();
        await _lifecycle.KillAsync(sandbox.Id, CancellationToken.None);
        Assert.Equal(KillReason.Request, Stored(sandbox.Id).KillReason);

        var kill = await Assert.ThrowsAnyAsync<PaddockException>(() => _lifecycle.KillAsync(sandbox.Id, CancellationToken.None));
        Assert.Equal(ErrorKind.NotFound, kill.Kind);
        var get = await Assert.ThrowsAnyAsync<PaddockException>(() => _lifecycle.GetAsync(sandbox.Id, CancellationToken.None));
        Assert.Contains("killed by request", get.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<PaddockException>(() => _lifecycle.PauseAsync(sandbox.Id, CancellationToken.None));
        await Assert.ThrowsAnyAsync<PaddockException>(() => _lifecycle.ConnectAsync(sandbox.Id, TimeSpan.FromSeconds(10), CancellationToken.None));
        await Assert.ThrowsAnyAsync<PaddockException>(() => _lifecycle.KillAsync("inope", CancellationToken.None));
    }

    [Fact]
    public async Task Kill_PausedSandbox_RemovesIt()
    {
        var sandbox = await CreateAsync();
        await _lifecycle.PauseAsync(sandbox.Id, CancellationToken.None);
        await _lifecycle.KillAsync(sandbox.Id, CancellationToken.None);
        Assert.False(_runtime.Containers.ContainsKey(sandbox.Id));
        Assert.Null(_lifecycle.Scheduler.DeadlineOf(sandbox.Id));
    }

    [Fact]
    public async Task ConcurrentRequests_OnOneSandbox_AreSerialised()
    {
        var sandbox = await CreateAsync();
        _runtime.Delay = TimeSpan.FromMilliseconds(30);
        var attempts = Enumerable.Range(0, 5).Select(_ => Task.Run(async () =>
        {
            try
            {
                await _lifecycle.PauseAsync(sandbox.Id, CancellationToken.None);
                return true;
            }
            catch (PaddockException ex) when (ex.Kind == ErrorKind.Conflict)
            {
                return false;
            }
        })).ToList();

        var results = await Task.WhenAll(attempts);
        Assert.Equal(1, results.Count(r => r));
        Assert.Equal(1, _runtime.MaxConcurrentCalls);
    }

    [Fact]
    public async Task ConcurrentRequests_OnDifferentSandboxes_RunInParallel()
    {
        var a = await CreateAsync();
        var b = await CreateAsync();

        // Each pause holds until both are in the runtime at once: serialised, they never would be.
        _runtime.AwaitConcurrency = 2;
        await Task.WhenAll(
            Task.Run(() => _lifecycle.PauseAsync(a.Id, CancellationToken.None)),
            Task.Run(() => _lifecycle.PauseAsync(b.Id, CancellationToken.None)));
        Assert.Equal(2, _runtime.MaxConcurrentCalls);
    }

    [Fact]
    public async Task Log_RecordsEachLifecycleEvent_InOrder_WithTheKillReason()
    {
        var sandbox = await CreateAsync(timeout: 60);
        await _lifecycle.SetTimeoutAsync(sandbox.Id, TimeSpan.FromSeconds(120), CancellationToken.None);
        await _lifecycle.PauseAsync(sandbox.Id, CancellationToken.None);
        await _lifecycle.ConnectAsync(sandbox.Id, TimeSpan.FromSeconds(30), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(SandboxState.Killed, Stored(sandbox.Id).State);

        var log = _log.Of(sandbox.Id);
        string[] expected = ["Sandbox created from template base", "Timeout set: ", "Sandbox paused", "Sandbox resumed; ", "Sandbox killed: its timeout passed"];
        Assert.Equal(expected.Length, log.Count);
        Assert.All(expected.Zip(log), pair => Assert.StartsWith(pair.First, pair.Second.Message, StringComparison.Ordinal));
        Assert.All(log, e => Assert.Equal("paddock", e.Fields["source"]));
        Assert.Equal(("timeout", SandboxLogLevel.Info), (log[^1].Fields["reason"], log[^1].Level));
        Assert.Equal("base", log[0].Fields["template"]);
    }

    [Fact]
    public async Task Log_RecordsExtensionsByConnect_AtDebugLevel_AndNothingWhenNothingChanged()
    {
        var sandbox = await CreateAsync(timeout: 60);
        await _lifecycle.ConnectAsync(sandbox.Id, TimeSpan.FromSeconds(30), CancellationToken.None);
        await _lifecycle.ConnectAsync(sandbox.Id, TimeSpan.FromSeconds(120), CancellationToken.None);

        var extended = Assert.Single(_log.Of(sandbox.Id).Skip(1));
        Assert.Equal(SandboxLogLevel.Debug, extended.Level);
        Assert.StartsWith("Timeout extended: ", extended.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_RecordsAFailedCreate_AsAnError()
    {
        _runtime.FailCreateWith = "no space left on device";
        await Assert.ThrowsAnyAsync<PaddockException>(() => CreateAsync());

        var id = Assert.Single(_store.Records.Keys);
        var entry = Assert.Single(_log.Of(id));
        Assert.Equal(SandboxLogLevel.Error, entry.Level);
        Assert.Equal("no space left on device", entry.Fields["error"]);
    }

    [Fact]
    public async Task Start_Reconciles_StoreAndRuntime()
    {
        var now = _time.GetUtcNow();
        SandboxRecord Record(string id, SandboxState state, int endInSeconds = 300) => new()
        {
            Id = id,
            TemplateId = "base",
            State = state,
            StartedAt = now,
            EndAt = now.AddSeconds(endInSeconds),
            PausedAt = state == SandboxState.Paused ? now : null,
            CreatedAt = now,
            CpuCount = 2,
            MemoryMB = 512,
            EnvdVersion = "0.1.0",
        };

        await _store.InsertAsync(Record("ikept", SandboxState.Running), default);
        await _store.InsertAsync(Record("ilost", SandboxState.Running), default);
        await _store.InsertAsync(Record("ihalf", SandboxState.Creating), default);
        await _store.InsertAsync(Record("ifrozen", SandboxState.Running), default);
        await _store.InsertAsync(Record("ipaused", SandboxState.Paused), default);
        await _store.InsertAsync(Record("ioverdue", SandboxState.Running, endInSeconds: -10), default);
        _runtime.Put("ikept", RuntimeSandboxStatus.Running);
        _runtime.Put("ihalf", RuntimeSandboxStatus.Stopped);
        _runtime.Put("ifrozen", RuntimeSandboxStatus.Paused);
        _runtime.Put("ipaused", RuntimeSandboxStatus.Paused);
        _runtime.Put("ioverdue", RuntimeSandboxStatus.Running);
        _runtime.Put("iorphan", RuntimeSandboxStatus.Running);

        await _lifecycle.StartAsync(CancellationToken.None);
        _time.Advance(TimeSpan.Zero);

        Assert.Equal(SandboxState.Running, Stored("ikept").State);
        Assert.Equal((SandboxState.Killed, KillReason.LostAtRestart), (Stored("ilost").State, Stored("ilost").KillReason));
        Assert.Equal((SandboxState.Killed, KillReason.CreateInterrupted), (Stored("ihalf").State, Stored("ihalf").KillReason));
        Assert.Equal(RuntimeSandboxStatus.Running, _runtime.Containers["ifrozen"]);
        Assert.Equal(RuntimeSandboxStatus.Paused, _runtime.Containers["ipaused"]);
        Assert.Equal((SandboxState.Killed, KillReason.Timeout), (Stored("ioverdue").State, Stored("ioverdue").KillReason));
        Assert.Equal(["ifrozen", "ikept", "ipaused"], _runtime.Containers.Keys.Order().ToArray());
        var lost = Assert.Single(_log.Of("ilost"));
        Assert.Equal((SandboxLogLevel.Error, "lost_at_restart"), (lost.Level, lost.Fields["reason"]));
        Assert.Contains("lost while the server was down", lost.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_KeepsTheFiles_OfSandboxesWhoseProcessesAreGone_AsFilesystemPauses()
    {
        var now = _time.GetUtcNow();
        SandboxRecord Record(string id, SandboxState state, PauseKind? pausedAs = null) => new()
        {
            Id = id,
            TemplateId = "base",
            State = state,
            PausedAs = pausedAs,
            StartedAt = now,
            EndAt = now.AddSeconds(300),
            PausedAt = state == SandboxState.Paused ? now.AddSeconds(-60) : null,
            CreatedAt = now,
            CpuCount = 2,
            MemoryMB = 512,
            EnvdVersion = "0.1.0",
        };

        // As after a reboot: no container left, only layers; and one container crun still lists, stopped.
        await _store.InsertAsync(Record("iwasrunning", SandboxState.Running), default);
        await _store.InsertAsync(Record("iwasfrozen", SandboxState.Paused, PauseKind.Memory), default);
        await _store.InsertAsync(Record("iwasondisk", SandboxState.Paused, PauseKind.Filesystem), default);
        await _store.InsertAsync(Record("istopped", SandboxState.Running), default);
        await _store.InsertAsync(Record("inothing", SandboxState.Running), default);
        _runtime.Put("iwasrunning", RuntimeSandboxStatus.FilesOnly);
        _runtime.Put("iwasfrozen", RuntimeSandboxStatus.FilesOnly);
        _runtime.Put("iwasondisk", RuntimeSandboxStatus.FilesOnly);
        _runtime.Put("istopped", RuntimeSandboxStatus.Stopped);

        await _lifecycle.StartAsync(CancellationToken.None);

        foreach (var id in new[] { "iwasrunning", "iwasfrozen", "iwasondisk", "istopped" })
        {
            Assert.Equal((SandboxState.Paused, PauseKind.Filesystem, RuntimeSandboxStatus.FilesOnly), (Stored(id).State, Stored(id).PausedAs, _runtime.Containers[id]));
        }

        Assert.Equal(now, Stored("iwasrunning").PausedAt);
        Assert.Equal(now.AddSeconds(-60), Stored("iwasfrozen").PausedAt);
        Assert.Equal((SandboxState.Killed, KillReason.LostAtRestart), (Stored("inothing").State, Stored("inothing").KillReason));
        var entry = Assert.Single(_log.Of("iwasrunning"));
        Assert.Equal(SandboxLogLevel.Warn, entry.Level);
        Assert.Contains("processes lost at restart", entry.Message, StringComparison.Ordinal);
        Assert.Empty(_log.Of("iwasondisk"));
        Assert.DoesNotContain(_runtime.Calls, c => c.StartsWith("delete i", StringComparison.Ordinal) && !c.EndsWith("inothing", StringComparison.Ordinal));

        // Nothing was booted by the restart; a connect boots each one cold.
        Assert.DoesNotContain(_runtime.Calls, c => c.StartsWith("start ", StringComparison.Ordinal));
        var connected = await _lifecycle.ConnectAsync("iwasrunning", TimeSpan.FromSeconds(60), CancellationToken.None);
        Assert.True(connected.Resumed);
        Assert.Contains("start iwasrunning", _runtime.Calls);
    }

    [Fact]
    public async Task PauseToDisk_StopsTheContainer_KeepsTheLayer_AndConnectBootsItCold()
    {
        var sandbox = await CreateAsync();
        var paused = await _lifecycle.PauseAsync(sandbox.Id, CancellationToken.None, PauseKind.Filesystem);
        Assert.Equal((SandboxState.Paused, PauseKind.Filesystem), (paused.State, paused.PausedAs));
        Assert.Equal(RuntimeSandboxStatus.FilesOnly, _runtime.Containers[sandbox.Id]);
        await Assert.ThrowsAsync<SandboxConflictException>(() => _lifecycle.PauseAsync(sandbox.Id, CancellationToken.None));

        var resumed = await _lifecycle.ConnectAsync(sandbox.Id, TimeSpan.FromSeconds(60), CancellationToken.None);
        Assert.Equal((SandboxState.Running, (PauseKind?)null), (resumed.Sandbox.State, resumed.Sandbox.PausedAs));
        Assert.Equal(RuntimeSandboxStatus.Running, _runtime.Containers[sandbox.Id]);
        Assert.Equal([$"stop {sandbox.Id}", $"start {sandbox.Id}"], _runtime.Calls.Where(c => c.StartsWith("st", StringComparison.Ordinal)).ToArray());
        Assert.Contains(_log.Of(sandbox.Id), e => e.Message.Contains("cold boot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AutoPause_WithoutMemory_StopsTheContainerOnTimeout()
    {
        var sandbox = await _lifecycle.CreateAsync(
            new CreateSandboxCommand { Template = "base", Timeout = TimeSpan.FromSeconds(5), AutoPause = true, AutoPauseMemory = false }, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal((SandboxState.Paused, PauseKind.Filesystem), (Stored(sandbox.Id).State, Stored(sandbox.Id).PausedAs));
        Assert.Equal(RuntimeSandboxStatus.FilesOnly, _runtime.Containers[sandbox.Id]);
    }

    [Fact]
    public async Task Frozen_IsMovedToDisk_AfterFreezeFor_ThenRetentionDeletesIt()
    {
        _options.FreezeFor = TimeSpan.FromMinutes(10);
        var sandbox = await CreateAsync();
        await _lifecycle.PauseAsync(sandbox.Id, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(RuntimeSandboxStatus.Paused, _runtime.Containers[sandbox.Id]);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal((SandboxState.Paused, PauseKind.Filesystem), (Stored(sandbox.Id).State, Stored(sandbox.Id).PausedAs));
        Assert.Equal(RuntimeSandboxStatus.FilesOnly, _runtime.Containers[sandbox.Id]);
        Assert.Contains(_log.Of(sandbox.Id), e => e.Message.Contains("moved to disk", StringComparison.Ordinal) && e.Message.Contains("FreezeFor", StringComparison.Ordinal));

        _time.Advance(TimeSpan.FromDays(30));
        Assert.Equal((SandboxState.Killed, KillReason.RetentionExpired), (Stored(sandbox.Id).State, Stored(sandbox.Id).KillReason));
        Assert.False(_runtime.Containers.ContainsKey(sandbox.Id));
    }

    [Fact]
    public async Task Snapshot_IsWhereATemplateGoes_AndIsKeptWhileSandboxesUseIt()
    {
        var source = await CreateAsync();
        var snapshot = await _lifecycle.Snapshots.CreateAsync(source.Id, "My-Snap:V1", CancellationToken.None);
        Assert.Equal("my-snap:v1", snapshot.Id);
        Assert.Equal(["my-snap"], snapshot.Names);
        Assert.Contains($"snapshot {source.Id} my-snap:v1 frozen", _runtime.Calls);
        await Assert.ThrowsAsync<PaddockException>(() => _lifecycle.Snapshots.CreateAsync(source.Id, "my-snap:v1", CancellationToken.None));
        await Assert.ThrowsAsync<PaddockException>(() => _lifecycle.Snapshots.CreateAsync(source.Id, "bad name!", CancellationToken.None));

        var made = await _lifecycle.CreateAsync(new CreateSandboxCommand { Template = "my-snap:v1", Timeout = TimeSpan.FromMinutes(1) }, CancellationToken.None);
        Assert.Equal(("base", "my-snap:v1"), (made.TemplateId, made.SnapshotId));
        Assert.Equal("my-snap:v1", Stored(made.Id).SnapshotId);

        var refused = await Assert.ThrowsAsync<PaddockException>(() => _lifecycle.Snapshots.DeleteAsync("my-snap", CancellationToken.None));
        Assert.Contains("running sandboxes using it", refused.Message, StringComparison.Ordinal);
        await _lifecycle.PauseAsync(made.Id, CancellationToken.None);
        refused = await Assert.ThrowsAsync<PaddockException>(() => _lifecycle.Snapshots.DeleteAsync("my-snap", CancellationToken.None));
        Assert.Contains("paused sandboxes using it", refused.Message, StringComparison.Ordinal);

        await _lifecycle.KillAsync(made.Id, CancellationToken.None);
        Assert.True(await _lifecycle.Snapshots.DeleteAsync("my-snap", CancellationToken.None));
        Assert.False(await _lifecycle.Snapshots.DeleteAsync("my-snap", CancellationToken.None));
        Assert.Empty(_runtime.Snapshots);
    }

    [Fact]
    public async Task Fork_MakesCountSandboxes_FromOneInternalSnapshot_DeletedWithTheLastFork()
    {
        var parent = await _lifecycle.CreateAsync(
            new CreateSandboxCommand { Template = "base", Timeout = TimeSpan.FromMinutes(5), Metadata = new Dictionary<string, string> { ["k"] = "v" } }, CancellationToken.None);
        var forks = await _lifecycle.ForkAsync(parent.Id, 3, TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(3, forks.Count);
        Assert.All(forks, f => Assert.Equal(("v", SandboxState.Running), (f.Sandbox!.Metadata["k"], f.Sandbox.State)));
        var snapshot = Assert.Single(_runtime.Snapshots.Values);
        Assert.True(snapshot.Internal);
        Assert.Empty((await _lifecycle.Snapshots.ListAsync(null, null, 100, null, CancellationToken.None)).Items);
        Assert.Equal(RuntimeSandboxStatus.Running, _runtime.Containers[parent.Id]);

        foreach (var fork in forks.Take(2))
        {
            await _lifecycle.KillAsync(fork.Sandbox!.Id, CancellationToken.None);
        }

        Assert.Single(_runtime.Snapshots);
        await _lifecycle.KillAsync(forks[2].Sandbox!.Id, CancellationToken.None);
        Assert.Empty(_runtime.Snapshots);
    }

    [Fact]
    public async Task Fork_WhoseCreatesAllFail_LeavesNoSnapshot_AndAPausedParentIsAConflict()
    {
        var parent = await CreateAsync();
        _runtime.FailCreateWith = "no space left on device";
        var forks = await _lifecycle.ForkAsync(parent.Id, 2, TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.All(forks, f => Assert.Contains("no space left", f.Error!.Message, StringComparison.Ordinal));
        Assert.Empty(_runtime.Snapshots);

        _runtime.FailCreateWith = null;
        await _lifecycle.PauseAsync(parent.Id, CancellationToken.None);
        var conflict = await Assert.ThrowsAsync<PaddockException>(() => _lifecycle.ForkAsync(parent.Id, 1, TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal(ErrorKind.Conflict, conflict.Kind);
    }

    [Fact]
    public async Task FrozenMemoryMB_MovesTheLongestPausedToDisk_WhenFrozenSandboxesHoldMore()
    {
        _options.FrozenMemoryMB = 1024;
        var sandboxes = new List<SandboxRecord>();
        for (var i = 0; i < 3; i++)
        {
            sandboxes.Add(await CreateAsync());
        }

        foreach (var sandbox in sandboxes)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await _lifecycle.PauseAsync(sandbox.Id, CancellationToken.None);
        }

        // Three frozen at 512 MiB each exceed 1024: the first paused goes to disk, the other two stay frozen.
        Assert.Equal(
            [PauseKind.Filesystem, PauseKind.Memory, PauseKind.Memory],
            sandboxes.Select(s => Stored(s.Id).PausedAs!.Value).ToArray());
        Assert.Equal(RuntimeSandboxStatus.FilesOnly, _runtime.Containers[sandboxes[0].Id]);
        Assert.Contains(_log.Of(sandboxes[0].Id), e => e.Message.Contains("FrozenMemoryMB", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(KillReason.AgentExited, "agent_exited")]
    [InlineData(KillReason.OutOfMemory, "out_of_memory")]
    public async Task InitExit_EndsTheSandbox_WithTheRuntimesReason(KillReason reason, string code)
    {
        await _lifecycle.StartAsync(CancellationToken.None);
        var sandbox = await CreateAsync();

        _runtime.Exit(sandbox.Id, reason);

        // The exit is handled on a background loop: wait for what it does, not for a fixed time.
        await Eventually.TrueAsync(() => Stored(sandbox.Id).State == SandboxState.Killed, "the sandbox to be killed");
        Assert.Equal(reason, Stored(sandbox.Id).KillReason);
        Assert.Equal("its init ended", Stored(sandbox.Id).KillMessage);
        Assert.DoesNotContain(sandbox.Id, _runtime.Containers.Keys);
        Assert.Null(_lifecycle.Scheduler.DeadlineOf(sandbox.Id));
        Assert.False(_running.IsRunning(sandbox.Id));
        var error = await Assert.ThrowsAnyAsync<PaddockException>(() => _lifecycle.GetAsync(sandbox.Id, CancellationToken.None));
        Assert.Contains(((KillReason?)reason).Describe(), error.Message, StringComparison.Ordinal);
        Assert.Contains(_log.Of(sandbox.Id), e => e.Fields.GetValueOrDefault("reason") == code && e.Level == SandboxLogLevel.Error);
    }

    [Fact]
    public async Task InitExit_OfAKilledSandbox_ChangesNothing()
    {
        await _lifecycle.StartAsync(CancellationToken.None);
        var sandbox = await CreateAsync();
        await _lifecycle.KillAsync(sandbox.Id, CancellationToken.None);
        var other = await CreateAsync();

        _runtime.Exit(sandbox.Id, KillReason.AgentExited);
        _runtime.Exit(other.Id, KillReason.AgentExited);

        // Exits are handled in order: once the second is done, the first was ignored.
        await Eventually.TrueAsync(() => Stored(other.Id).State == SandboxState.Killed, "the other sandbox to be killed");
        Assert.Equal(KillReason.Request, Stored(sandbox.Id).KillReason);
    }

    [Fact]
    public async Task MaxSandboxes_CountsWhatAServerFindsAtStart()
    {
        await CreateAsync();
        var paused = await CreateAsync();
        await _lifecycle.PauseAsync(paused.Id, CancellationToken.None);
        await _lifecycle.KillAsync((await CreateAsync()).Id, CancellationToken.None);

        // A server restarted with a maximum of 3 over the same records and containers holds 2 already.
        using var restarted = new LifecycleService(
            _store, _runtime, new FakeTemplates(), new SandboxEvents(_log, _time, NullLogger<SandboxEvents>.Instance), new RunningSandboxes(),
            new LifecycleOptions { MaxSandboxes = 3 }, _time, NullLogger<LifecycleService>.Instance);
        await restarted.StartAsync(CancellationToken.None);
        await restarted.CreateAsync(new CreateSandboxCommand { Template = "base", Timeout = TimeSpan.FromMinutes(5) }, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<SandboxLimitException>(() =>
            restarted.CreateAsync(new CreateSandboxCommand { Template = "base", Timeout = TimeSpan.FromMinutes(5) }, CancellationToken.None));
        Assert.Equal(ErrorKind.LimitReached, refused.Kind);
    }

    // A host stops its services again once the app's own run has stopped and disposed them (the in-process test
    // host did, and the second stop threw ObjectDisposedException out of the test's teardown).
    [Fact]
    public async Task Stop_AfterStopOrDispose_DoesNothing()
    {
        await _lifecycle.StartAsync(CancellationToken.None);
        await _lifecycle.StopAsync();
        await _lifecycle.StopAsync();
        _lifecycle.Dispose();
        await _lifecycle.StopAsync();
        _lifecycle.Dispose();
    }

    // The app's own run disposed the service while the test host's stop was still cancelling: a disposal between
    // CancelAsync's start and its callbacks dropped them, the exit watch never heard of the stop, and the stop hung.
    [Fact]
    public async Task Dispose_DuringAStop_StillEndsIt()
    {
        await _lifecycle.StartAsync(CancellationToken.None);
        var stopping = _lifecycle.StopAsync();
        _lifecycle.Dispose();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        await _lifecycle.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
