using MongoDB.Bson;
using MongoDB.Driver;
using Replication.ShardActors.MongoSource;
using Replication.Testing.Demo;
using Xunit.Abstractions;

namespace Replication.Tests.MongoSource;

/// <summary>
/// The real `replication` executable with a MongoDB source, SIGKILLed during the copy and again while it follows the
/// change stream, with changes made while it is down: each restart resumes from the checkpoints (the copy is not
/// started over) and the target ends equal to the source. The in-memory servers run in the test process and outlive the kills.
/// </summary>
public sealed class MongoToMongoProcessKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Namespaces = new()
    {
        ["shop.orders"] = "shop.orders",
        ["shop.customers"] = "shop.customers",
        ["inventory.items"] = "inventory.items",
    };

    private MongoToMongoHarness _h = null!;
    private string _configFile = null!;
    private readonly List<ReplicationProcess> _processes = [];

    public Task InitializeAsync()
    {
        _h = new MongoToMongoHarness(output);
        _configFile = Path.Combine(Path.GetTempPath(), $"{_h.Id}.conf");
        File.WriteAllText(_configFile, "replication { }\n");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes) await process.DisposeAsync();
        await _h.DisposeAsync();
        File.Delete(_configFile);
    }

    [Fact]
    public async Task Killed_during_the_copy_and_during_incremental_each_restart_resumes_and_target_equals_source()
    {
        await MongoToMongoReplicationTests.SeedAsync(_h, orders: 1500);
        var overrides = _h.SettingOverrides(
            "replication.source.mongodb.range-documents=300",
            "replication.full-sync.items-per-second=400",
            "replication.filter.exclude=[\"other\", \"shop.audit\"]",
            // A killed node keeps the coordinator lease until it expires; short leases keep the restarts quick.
            "replication.cluster.lease-duration=3s",
            "replication.cluster.lease-renew-interval=1s");
        var settings = _h.Settings(overrides[_h.SettingOverrides().Length..]);
        var checkpoints = _h.Checkpoints(settings);

        // 1. Killed in the middle of the copy.
        var first = Start(overrides);
        await WaitForAsync(async () => (await checkpoints.LoadRangesAsync(1, default)).Sum(r => r.Copied) >= 300);
        await first.KillAsync();
        var copiedAtKill = (await checkpoints.LoadRangesAsync(1, default)).Sum(r => r.Copied);
        Assert.Equal(MongoSyncPhase.Copying, (await checkpoints.LoadStateAsync(default))!.Phase);
        await MongoToMongoReplicationTests.MutateAsync(_h, round: 1); // while no node runs

        // 2. The restart carries on from the ranges' checkpoints, then follows the stream from the position saved before the copy.
        var second = Start(overrides);
        await _h.WaitForPhaseAsync(settings, MongoSyncPhase.Incremental, TimeSpan.FromMinutes(3));
        var copied = (await checkpoints.LoadRangesAsync(1, default)).Sum(r => r.Copied);
        var ranges = (await checkpoints.LoadRangesAsync(1, default)).Count;
        // Started over, it would have copied what it had copied before the kill again (1700 documents are seeded) on top of what it had copied before the kill.
        Assert.True(copied <= 1700 + 60 + ranges, $"copied {copied} documents in all ({copiedAtKill} before the kill): the copy was started over");
        await MongoToMongoReplicationTests.MutateAsync(_h, round: 2);
        await _h.WaitUntilEqualAsync(Namespaces, TimeSpan.FromMinutes(3));

        // 3. Killed while following the change stream; changes made while it is down arrive after the restart.
        await second.KillAsync();
        await MongoToMongoReplicationTests.MutateAsync(_h, round: 3);
        var third = Start(overrides);
        await _h.WaitUntilEqualAsync(Namespaces, TimeSpan.FromMinutes(3));
        Assert.False(third.HasExited, "the restarted process exited");
        Assert.Equal(1, (await checkpoints.LoadStateAsync(default))!.Generation);
    }

    private ReplicationProcess Start(string[] overrides)
    {
        var executable = DemoOptions.Parse([]).ReplicationExecutable;
        string[] arguments = ["run", "--config", _configFile, .. overrides.SelectMany(o => new[] { "--set", o })];
        var index = _processes.Count;
        var process = ReplicationProcess.Start(executable, arguments, line =>
        {
            try { output.WriteLine($"replication[{index}] {line}"); }
            catch (InvalidOperationException) { } // the test already finished; its output is closed
        });
        _processes.Add(process);
        return process;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the condition was not met in time");
            await Task.Delay(50);
        }
    }
}
