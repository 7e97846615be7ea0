using Amazon.DynamoDBv2.Model;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.Dynamo;
using Replication.Tests.Dynamo;
using Replication.Testing.Demo;
using Replication.Testing.DynamoLocal;
using Xunit.Abstractions;

namespace Replication.Tests.EndToEnd;

/// <summary>The kill tests get a DynamoDB Local of their own, so they run beside the other end-to-end tests.</summary>
[CollectionDefinition(Name)]
public sealed class ProcessKillCollection : ICollectionFixture<DynamoDbLocalFixture>
{
    public const string Name = "Replication process kills";
}

/// <summary>
/// The real `replication` executable, SIGKILLed at the worst moments and started again: the target must end up equal to
/// the source (by the independent comparison) and no checkpoint may ever move backwards. The in-memory MongoDB server
/// runs in the test process, so it outlives every kill.
/// </summary>
[Collection(ProcessKillCollection.Name)]
public sealed class ProcessKillTests(DynamoDbLocalFixture dynamo, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private ReplicationHarness _h = null!;
    private string _configFile = null!;
    private readonly List<ReplicationProcess> _processes = [];

    public Task InitializeAsync()
    {
        _h = new ReplicationHarness(dynamo.Local, output);
        // Everything comes from --set; `run` still wants a file.
        _configFile = Path.Combine(Path.GetTempPath(), $"{_h.Prefix}.conf");
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
    public async Task Killed_between_a_target_write_and_its_checkpoint_the_restart_applies_the_batch_again()
    {
        var table = await CreateTableAsync("-gap", 60);
        var overrides = _h.SettingOverrides();
        var settings = _h.Settings();
        var store = Checkpoints(settings);
        await using var monitor = new CheckpointMonitor(store, table);

        var first = Start(overrides);
        await WaitForFullSyncAsync(store, table, first);

        // The server stops the first stream position save that follows a write to the target collection: the write is
        // acknowledged, its checkpoint never arrives.
        var targetWritten = false;
        var held = _h.Mongo.Holds.Hold((database, command) =>
        {
            if (database == settings.Target.Database && command.GetElement(0) is { Name: "insert" or "update" or "delete", Value: MongoDB.Bson.BsonString { Value: var c } } && c == table)
                targetWritten = true;
            return targetWritten && database == settings.CheckpointDatabase && IsShardPositionSave(command);
        });
        var changed = Enumerable.Range(1000, 10).Select(DynamoItemGenerator.KeyOf).ToArray();
        await PutAsync(table, 1000, 10);
        var (_, save) = await held.Reached.WaitAsync(Patience);
        output.WriteLine($"held before it ran: {save}");
        var shardsAtHold = await store.ListShardsAsync(table);

        var exitCode = await first.KillAsync();
        held.Drop();

        Assert.Equal(128 + 9, exitCode);
        var applied = (await _h.TargetAsync(settings, table)).Values.Count(d => d["pk"] is MongoDB.Bson.BsonString { Value: var pk } && changed.Contains(pk));
        Assert.True(applied > 0, "no changed item reached the target before the held checkpoint: the kill did not land between a write and its checkpoint");
        var shardsAfterKill = await store.ListShardsAsync(table);
        Assert.Equal(Positions(shardsAtHold), Positions(shardsAfterKill)); // the save died with the process

        var second = Start(overrides);
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table, Patience);
        // The batch whose checkpoint was lost is applied again (idempotently) and its position saved this time.
        var atHold = Positions(shardsAtHold);
        var saved = await WaitForAsync(async () =>
        {
            var now = Positions(await store.ListShardsAsync(table));
            return now.Any(p => p.Value is { } v && (atHold.GetValueOrDefault(p.Key) is not { } q || v > q)) ? now : null;
        }, "no shard saved a position past the one held when the process was killed");
        output.WriteLine($"positions at the kill: {string.Join(", ", Positions(shardsAtHold))}; after the restart: {string.Join(", ", saved)}");
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table, Patience);
        Assert.False(second.HasExited, "the restarted process exited");
        await monitor.AssertNoneWentBackwardsAsync();
    }

    [Fact]
    public async Task Killed_in_the_middle_of_a_full_sync_the_restart_resumes_and_the_target_equals_the_source()
    {
        const int items = 300;
        var table = await CreateTableAsync("-fullsync", items);
        // Slow enough to be killed midway on any machine: 300 items at 60 items/s in pages of 10.
        var slow = _h.SettingOverrides("replication.full-sync.items-per-second=60", "replication.full-sync.page-size=10");
        var settings = _h.Settings();
        var store = Checkpoints(settings);
        await using var monitor = new CheckpointMonitor(store, table);

        var first = Start(slow);
        var before = await WaitForAsync(async () =>
            await store.GetTableAsync(table) is { FullSync.ItemsWritten: >= 60 } t ? t : null, "the full sync made no progress");
        Assert.Equal(128 + 9, await first.KillAsync());
        var killed = (await store.GetTableAsync(table))!;
        Assert.Equal(FullSyncStatus.Running, killed.FullSync.Status);
        Assert.True(killed.FullSync.ItemsWritten < items, $"the full sync had already copied {killed.FullSync.ItemsWritten} of {items} items when it was killed");
        await PutAsync(table, 0, 10); // changes while it is down: some to items already copied, some to items not yet

        var second = Start(_h.SettingOverrides());
        await WaitForFullSyncAsync(store, table, second);
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table, Patience);

        var after = (await store.GetTableAsync(table))!;
        output.WriteLine($"items written before the kill {before.FullSync.ItemsWritten}, at the kill {killed.FullSync.ItemsWritten}, in all {after.FullSync.ItemsWritten}");
        Assert.Equal(killed.Generation, after.Generation); // resumed from the saved segments, not started over
        await monitor.AssertNoneWentBackwardsAsync();
    }

    [Fact]
    public async Task Killed_during_incremental_sync_under_a_steady_write_load_the_restart_loses_no_write()
    {
        var table = await CreateTableAsync("-load", 50);
        var overrides = _h.SettingOverrides();
        var settings = _h.Settings();
        var store = Checkpoints(settings);
        await using var monitor = new CheckpointMonitor(store, table);

        var first = Start(overrides);
        await WaitForFullSyncAsync(store, table, first);
        await using var load = new SteadyWriteLoad(_h.Dynamo, table);

        await WaitForAsync(async () => RecordsApplied(await store.ListShardsAsync(table)) >= 20 ? (object)true : null, "the stream was not applied under load");
        Assert.Equal(128 + 9, await first.KillAsync());
        var appliedAtKill = RecordsApplied(await store.ListShardsAsync(table));
        var writesAtKill = load.Writes;
        await WaitForAsync(() => Task.FromResult(load.Writes >= writesAtKill + 20 ? (object)true : null), "the load stopped while the process was down");

        var second = Start(overrides);
        await WaitForAsync(async () => RecordsApplied(await store.ListShardsAsync(table)) > appliedAtKill + 20 ? (object)true : null,
            "the restarted process applied nothing under load");
        await load.StopAsync();
        output.WriteLine($"{load.Writes} writes under load; {appliedAtKill} records applied at the kill");
        await _h.WaitUntilTargetEqualsSourceAsync(settings, table, Patience);
        Assert.False(second.HasExited, "the restarted process exited");
        await monitor.AssertNoneWentBackwardsAsync();
    }

    private ReplicationProcess Start(string[] overrides)
    {
        var executable = DemoOptions.Parse([]).ReplicationExecutable;
        string[] arguments = ["run", "--config", _configFile, .. overrides.SelectMany(o => new[] { "--set", o })];
        var process = ReplicationProcess.Start(executable, arguments, line =>
        {
            try { output.WriteLine($"replication[{_processes.Count}] {line}"); }
            catch (InvalidOperationException) { } // the test already finished; its output is closed
        });
        _processes.Add(process);
        return process;
    }

    private CheckpointStore Checkpoints(ReplicationSettings settings) =>
        new(_h.Client.GetDatabase(settings.CheckpointDatabase), settings.DeadLetterCollection);

    // The in-memory server hands held commands over as MongoDB.Bson documents.
    private static bool IsShardPositionSave(MongoDB.Bson.BsonDocument command) =>
        command.GetElement(0) is { Name: "update", Value: MongoDB.Bson.BsonString { Value: "shards" } }
        && command.GetValue("updates", null) is MongoDB.Bson.BsonArray updates
        && updates.Any(u => u is MongoDB.Bson.BsonDocument statement && statement.GetValue("u", null) is MongoDB.Bson.BsonDocument update
            && update.GetValue("$set", null) is MongoDB.Bson.BsonDocument set && set.Contains("sequenceKey"));

    private static Dictionary<string, SequenceNumber?> Positions(IEnumerable<ShardCheckpoint> shards) => shards.ToDictionary(s => s.ShardId, s => s.SequenceNumber);

    private static long RecordsApplied(IEnumerable<ShardCheckpoint> shards) => shards.Sum(s => s.RecordsApplied);

    private async Task WaitForFullSyncAsync(CheckpointStore store, string table, ReplicationProcess process) =>
        await WaitForAsync(async () =>
        {
            Assert.False(process.HasExited, $"replication exited with code {(process.HasExited ? process.ExitCode : 0)} before the full sync of {table} finished");
            return await store.GetTableAsync(table) is { FullSync.Status: FullSyncStatus.Done } t ? t : null;
        }, $"the full sync of {table} did not finish");

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string failure) where T : class
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            if (await probe() is { } found) return found;
            if (DateTimeOffset.UtcNow > deadline) Assert.Fail(failure);
            await Task.Delay(200);
        }
    }

    private async Task<string> CreateTableAsync(string suffix, int items)
    {
        var table = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + suffix, "pk");
        await new DynamoItemGenerator("pk", seed: items).PutItemsAsync(_h.Dynamo, table, items);
        return table;
    }

    private async Task PutAsync(string table, int first, int count)
    {
        var generator = new DynamoItemGenerator("pk", seed: 17);
        for (var i = first; i < first + count; i++) await _h.Dynamo.PutItemAsync(table, generator.Item(i));
    }
}

/// <summary>Writes to a table at a steady pace — puts of new and existing items, updates, deletes — until stopped.</summary>
internal sealed class SteadyWriteLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _writes;

    public SteadyWriteLoad(Amazon.DynamoDBv2.IAmazonDynamoDB dynamo, string table) => _loop = RunAsync(dynamo, table, _stop.Token);

    public long Writes => Interlocked.Read(ref _writes);

    private async Task RunAsync(Amazon.DynamoDBv2.IAmazonDynamoDB dynamo, string table, CancellationToken cancellationToken)
    {
        var generator = new DynamoItemGenerator("pk", seed: 23);
        for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            // Over 80 keys, so the same item is put, updated and deleted again and again: the order of its records matters.
            var key = DynamoItemGenerator.KeyOf(i % 80);
            try
            {
                switch (i % 4)
                {
                    case 0 or 1:
                        await dynamo.PutItemAsync(table, generator.Item(i % 80 == 0 ? i : i % 80), cancellationToken);
                        break;
                    case 2:
                        await dynamo.UpdateItemAsync(new UpdateItemRequest
                        {
                            TableName = table,
                            Key = new() { ["pk"] = new() { S = key } },
                            UpdateExpression = "SET #w = :w",
                            ExpressionAttributeNames = new() { ["#w"] = "write" },
                            ExpressionAttributeValues = new() { [":w"] = new() { N = i.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
                        }, cancellationToken);
                        break;
                    default:
                        await dynamo.DeleteItemAsync(table, new() { ["pk"] = new() { S = key } }, cancellationToken);
                        break;
                }
                Interlocked.Increment(ref _writes);
                await Task.Delay(50, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
