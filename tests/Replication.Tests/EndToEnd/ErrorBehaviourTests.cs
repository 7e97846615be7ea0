using System.Diagnostics.Metrics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Bson.IO;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.Coordinator.Actors;
using Replication.Coordinator.Hosting;
using Replication.Coordinator.Management.Progress;
using Replication.Metrics;
using Replication.Tests.Dynamo;
using Replication.Testing.DynamoLocal;
using Xunit.Abstractions;

namespace Replication.Tests.EndToEnd;

/// <summary>What DESIGN.md §3 "Errors" promises the user, end to end on DynamoDB Local and the in-memory MongoDB.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ErrorBehaviourTests(DynamoDbLocalFixture dynamo, ITestOutputHelper output) : IAsyncLifetime
{
    private ReplicationHarness _h = null!;
    private readonly CapturedLogs _logs = new();

    public Task InitializeAsync()
    {
        _h = new ReplicationHarness(dynamo.Local, output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private Task<ReplicationNode> StartNodeAsync(ReplicationSettings settings) =>
        ReplicationNode.StartAsync(settings, LoggerFactory.Create(b => b
            .AddProvider(new TestOutputLoggerProvider(output)).AddProvider(_logs).SetMinimumLevel(LogLevel.Information)));

    private CheckpointStore Checkpoints(ReplicationSettings settings) => new(_h.Client.GetDatabase(settings.CheckpointDatabase));

    private static Dictionary<string, AttributeValue> Item(string pk, params (string Name, AttributeValue Value)[] attributes)
    {
        var item = new Dictionary<string, AttributeValue> { ["pk"] = new() { S = pk }, ["n"] = new() { N = "1" } };
        foreach (var (name, value) in attributes) item[name] = value;
        return item;
    }

    private async Task<HashSet<string>> TargetKeysAsync(ReplicationSettings settings, string table) =>
        (await _h.Target(settings, table).Find(new BsonDocument()).ToListAsync()).Select(d => ((BsonString)d["_id"]!).Value).ToHashSet();

    private async Task WaitForTargetKeysAsync(ReplicationSettings settings, string table, IReadOnlySet<string> expected)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        HashSet<string> actual;
        while (!(actual = await TargetKeysAsync(settings, table)).SetEquals(expected))
        {
            if (DateTimeOffset.UtcNow > deadline)
                Assert.Fail($"target of {table}: missing [{string.Join(", ", expected.Except(actual))}], unexpected [{string.Join(", ", actual.Except(expected))}]");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task A_stream_without_new_images_ends_the_node_with_a_message_that_says_what_to_do()
    {
        var table = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-keys", streamViewType: StreamViewType.KEYS_ONLY);
        await _h.Dynamo.PutItemAsync(table, Item("a"));
        var settings = _h.Settings($"replication.filter.include=[\"{table}\"]");

        ReplicationEnded ended;
        await using (var node = await StartNodeAsync(settings))
        {
            var finished = await Task.WhenAny(node.Completion, Task.Delay(TimeSpan.FromMinutes(2)));
            Assert.True(finished == node.Completion, "the node kept running on a KEYS_ONLY stream");
            ended = await node.Completion;
        }

        output.WriteLine(ended.Message);
        Assert.False(ended.Success);
        Assert.Contains($"'{table}'", ended.Message);
        Assert.Contains("KEYS_ONLY", ended.Message);
        Assert.Contains("StreamViewType=NEW_AND_OLD_IMAGES", ended.Message);
        Assert.Contains("replication.filter", ended.Message);
        Assert.Empty(await TargetKeysAsync(settings, table));
        Assert.Null(await Checkpoints(settings).GetTableAsync(table));
    }

    [Fact]
    public async Task A_table_named_in_the_filter_that_does_not_exist_is_reported_by_name_and_the_others_run()
    {
        var present = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-present");
        await _h.Dynamo.PutItemAsync(present, Item("a"));
        var missing = _h.Prefix + "-nosuchtable";
        var settings = _h.Settings($"replication.filter.include=[\"{missing}\", \"{present}\"]");

        await using var node = await StartNodeAsync(settings);

        var warning = await _logs.WaitForAsync(LogLevel.Warning, l => l.Contains($"'{missing}'"), $"naming the missing table {missing}");
        Assert.Contains("does not exist", warning);
        Assert.Contains("replication.filter.include", warning);
        await _h.WaitForFullSyncAsync(node, present);
        await WaitForTargetKeysAsync(settings, present, new HashSet<string> { "a" });
        Assert.False(node.Completion.IsCompleted, "a missing table must not stop the node");
    }

    [Fact]
    public async Task A_table_deleted_while_replicated_stops_with_a_clear_message_and_the_others_continue()
    {
        var doomed = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-doomed");
        var survivor = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-survivor");
        await _h.Dynamo.PutItemAsync(doomed, Item("d1"));
        await _h.Dynamo.PutItemAsync(survivor, Item("s1"));
        var settings = _h.Settings();

        await using var node = await StartNodeAsync(settings);
        await _h.WaitForFullSyncAsync(node, doomed);
        await _h.WaitForFullSyncAsync(node, survivor);
        await WaitForTargetKeysAsync(settings, doomed, new HashSet<string> { "d1" });

        await _h.Dynamo.DeleteTableAsync(doomed);
        var warning = await _logs.WaitForAsync(LogLevel.Warning, l => l.Contains(doomed) && l.Contains("replication stopped"),
            $"saying the replication of the deleted table {doomed} stopped", TimeSpan.FromMinutes(3));
        output.WriteLine("told: " + warning);
        Assert.Contains("no longer exists", warning);

        await _h.Dynamo.PutItemAsync(survivor, Item("s2"));
        await WaitForTargetKeysAsync(settings, survivor, new HashSet<string> { "s1", "s2" });
        Assert.False(node.Completion.IsCompleted, "a deleted table must not stop the node");
        // Stopped, not restarting: no failure of the deleted table's actors is logged after the warning.
        var warnedAt = _logs.Lines.ToList().FindIndex(l => l.Text == warning);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(_logs.Lines.Skip(warnedAt + 1), l => l.Level >= LogLevel.Error && l.Text.Contains(doomed));
    }

    [Fact]
    public async Task Items_that_cannot_be_written_are_dead_lettered_in_full_sync_and_stream_and_everything_else_is_applied()
    {
        var table = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-dead");
        var expected = new HashSet<string>();
        for (var i = 0; i < 30; i++)
        {
            await _h.Dynamo.PutItemAsync(table, Item($"ok-{i:D2}"));
            expected.Add($"ok-{i:D2}");
        }
        // DynamoDB stores both; MongoDB would read '$price' as an operator, and '_id' collides with the _id made from the key.
        await _h.Dynamo.PutItemAsync(table, Item("scan-dollar", ("$price", new AttributeValue { N = "9" })));
        await _h.Dynamo.PutItemAsync(table, Item("scan-id", ("_id", new AttributeValue { S = "mine" })));
        long deadLetterMetric = 0;
        using var listener = TableMetricListener.Start(TableMetricListener.DeadLetters, table, n => Interlocked.Add(ref deadLetterMetric, n));
        var settings = _h.Settings("replication.full-sync.page-size=7");

        await using var node = await StartNodeAsync(settings);
        await _h.WaitForFullSyncAsync(node, table);
        await WaitForTargetKeysAsync(settings, table, expected);
        var fullSync = (await node.Services.Checkpoints.GetTableAsync(table))!.FullSync;
        Assert.All(fullSync.Segments.Values, s => Assert.Equal(SegmentStatus.Done, s.Status));
        Assert.Equal(30, fullSync.ItemsWritten);

        await _h.Dynamo.PutItemAsync(table, Item("stream-dollar", ("$set", new AttributeValue { M = new() { ["x"] = new() { S = "y" } } })));
        await _h.Dynamo.PutItemAsync(table, Item("stream-id", ("_id", new AttributeValue { N = "5" })));
        await _h.Dynamo.PutItemAsync(table, Item("stream-ok"));
        await _h.Dynamo.DeleteItemAsync(table, new() { ["pk"] = new() { S = "ok-00" } });
        expected.Add("stream-ok");
        expected.Remove("ok-00");
        await WaitForTargetKeysAsync(settings, table, expected);

        var store = node.Services.Checkpoints;
        var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
        List<BsonDocument> letters;
        while ((letters = await store.ListDeadLettersAsync(table)).Count < 4 && DateTimeOffset.UtcNow < deadline) await Task.Delay(200);
        foreach (var l in letters) output.WriteLine(l.ToJson(Relaxed));
        Assert.Equal(4, letters.Count);
        AssertLetter(letters, "scan-dollar", "full-sync", "$price");
        AssertLetter(letters, "scan-id", "full-sync", "_id");
        AssertLetter(letters, "stream-dollar", "stream", "$set");
        AssertLetter(letters, "stream-id", "stream", "_id");

        // The checkpoint moved on past each dead-lettered stream record (it is not replayed forever, nor skipped silently).
        foreach (var letter in letters.Where(l => l["phase"] is BsonString { Value: "stream" }))
        {
            var at = Replication.Dynamo.SequenceNumber.Parse(((BsonString)letter["sequenceNumber"]!).Value);
            deadline = DateTimeOffset.UtcNow.AddMinutes(2);
            while (!(await store.ListShardsAsync(table)).Any(s => s.SequenceNumber >= at))
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, $"no shard checkpoint reached the dead-lettered record {at}");
                await Task.Delay(200);
            }
        }

        // Counted, too (the metric is raised once the batch's position is saved).
        deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        while (Interlocked.Read(ref deadLetterMetric) < 4 && DateTimeOffset.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(4, Interlocked.Read(ref deadLetterMetric));
    }

    [Fact]
    public async Task An_update_that_cannot_be_written_removes_the_older_document_and_is_counted_in_progress_and_metrics()
    {
        var table = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-stale");
        await _h.Dynamo.PutItemAsync(table, Item("keeps"));
        await _h.Dynamo.PutItemAsync(table, Item("turns-bad"));
        long removedMetric = 0;
        using var listener = TableMetricListener.Start(TableMetricListener.StaleDocuments, table, n => Interlocked.Add(ref removedMetric, n));
        var settings = _h.Settings();
        await using var node = await StartNodeAsync(settings);
        await _h.WaitForFullSyncAsync(node, table);
        await WaitForTargetKeysAsync(settings, table, new HashSet<string> { "keeps", "turns-bad" });

        // The source's item changes into one MongoDB cannot take: the target must not go on showing the old version.
        await _h.Dynamo.PutItemAsync(table, Item("turns-bad", ("$set", new AttributeValue { S = "now unwritable" })));
        await WaitForTargetKeysAsync(settings, table, new HashSet<string> { "keeps" });

        var letter = Assert.Single(await node.Services.Checkpoints.ListDeadLettersAsync(table));
        Assert.Equal("removed", ((BsonString)letter["staleDocument"]!).Value);
        Assert.Contains("now unwritable", new RawBsonDocument(((BsonBinaryData)letter["document"]).Bytes).ToJson(Relaxed));
        var progress = await new ProgressReportBuilder(node.Services.Checkpoints, settings.Mode, TimeProvider.System).BuildAsync(default);
        Assert.Equal(new DeadLetterCounts(1, 1, 0), Assert.Single(progress.Tables, t => t.Table == table).DeadLetters);
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        while (Interlocked.Read(ref removedMetric) < 1 && DateTimeOffset.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(1, Interlocked.Read(ref removedMetric));
    }

    [Fact]
    public async Task A_segment_failing_again_and_again_at_one_position_is_stopped_and_reported_and_the_other_tables_run_on()
    {
        var poisoned = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-poison");
        var healthy = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-healthy");
        foreach (var table in new[] { poisoned, healthy })
            for (var i = 0; i < 5; i++) await _h.Dynamo.PutItemAsync(table, Item($"item-{i}"));
        var settings = _h.Settings("replication.full-sync.segments=1", "replication.supervision.max-restarts-at-one-position=2");
        _h.Mongo.Engine.Instance.WriteRefusals.Refuse(settings.Target.Database, poisoned); // every write to it fails, as if permission were revoked

        await using var node = await StartNodeAsync(settings);
        await WaitForTargetKeysAsync(settings, healthy, Enumerable.Range(0, 5).Select(i => $"item-{i}").ToHashSet());

        var failure = await WaitForAsync(async () => (await node.Services.Checkpoints.GetTableAsync(poisoned))?.FullSync.Segments.GetValueOrDefault(0)?.Failure,
            "the poisoned table's segment to be marked failed");
        Assert.Equal(2, failure.Restarts);
        Assert.Null(failure.Position); // it never got past its first page
        Assert.Contains("not authorized", failure.Error);

        using var http = new HttpClient { BaseAddress = node.Management.BaseAddress };
        var ready = await http.GetAsync("/ready");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var readiness = await ready.Content.ReadAsStringAsync();
        Assert.Contains($"{poisoned} segment 0", readiness);
        Assert.Contains("not authorized", readiness);
        var tables = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/progress")).RootElement.GetProperty("progress").GetProperty("tables");
        var reported = tables.EnumerateArray().Single(t => t.GetProperty("table").GetString() == poisoned).GetProperty("failedUnits");
        Assert.Equal("segment 0", Assert.Single(reported.EnumerateArray()).GetProperty("unit").GetString());
        Assert.Contains($"replication_failed_units{{table=\"{poisoned}\",unit=\"segment 0\"}} 1", await http.GetStringAsync("/metrics"));

        // The rest runs on: the healthy table is in incremental sync and applies a new write.
        await _h.Dynamo.PutItemAsync(healthy, Item("later"));
        await WaitForTargetKeysAsync(settings, healthy, Enumerable.Range(0, 5).Select(i => $"item-{i}").Append("later").ToHashSet());
    }

    [Fact]
    public async Task A_shard_failing_again_and_again_at_one_position_is_stopped_and_a_node_restart_after_the_fix_resumes_it()
    {
        var table = await DynamoTestTables.CreateAsync(_h.Dynamo, _h.Prefix + "-poison-shard");
        await _h.Dynamo.PutItemAsync(table, Item("before"));
        var settings = _h.Settings("replication.supervision.max-restarts-at-one-position=2");
        var node = await StartNodeAsync(settings);
        try
        {
            await _h.WaitForFullSyncAsync(node, table);
            await WaitForTargetKeysAsync(settings, table, new HashSet<string> { "before" });
            _h.Mongo.Engine.Instance.WriteRefusals.Refuse(settings.Target.Database, table);
            await _h.Dynamo.PutItemAsync(table, Item("after"));

            var failed = await WaitForAsync(async () => (await node.Services.Checkpoints.ListShardsAsync(table)).FirstOrDefault(s => s.Failure is not null),
                "a shard to be marked failed");
            Assert.Equal(2, failed.Failure!.Restarts);
            Assert.Equal((failed.SequenceNumber ?? failed.StartSequenceNumber)?.ToString(), failed.Failure.Position); // where it would resume
            Assert.Contains("not authorized", failed.Failure.Error);
        }
        finally
        {
            await node.DisposeAsync();
        }

        // The cause is fixed and the node restarted: the shard is retried from its checkpoint and the mark goes with its next position.
        _h.Mongo.Engine.Instance.WriteRefusals.Allow(settings.Target.Database, table);
        await using var restarted = await StartNodeAsync(settings);
        await WaitForTargetKeysAsync(settings, table, new HashSet<string> { "before", "after" });
        await WaitForAsync(async () => (await restarted.Services.Checkpoints.ListShardsAsync(table)).All(s => s.Failure is null) ? "cleared" : null,
            "the shard's failure mark to clear");
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> read, string what) where T : class
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        while (true)
        {
            if (await read() is { } value) return value;
            Assert.True(DateTimeOffset.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(250);
        }
    }

    private static readonly JsonWriterSettings Relaxed = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson };

    private static void AssertLetter(List<BsonDocument> letters, string key, string phase, string attribute)
    {
        var letter = letters.SingleOrDefault(l => ((BsonString)l["key"]!).Value.Contains(key));
        Assert.True(letter is not null, $"no dead letter for {key}");
        Assert.Equal(phase, ((BsonString)letter["phase"]!).Value);
        Assert.Contains(attribute, ((BsonString)letter["error"]!).Value);
        // The item itself is kept: as the BSON that failed, or as the source's DynamoDB JSON when it never became BSON.
        var item = letter.TryGetValue("document", out var document) && document is BsonBinaryData binary
            ? new RawBsonDocument(binary.Bytes).ToJson(Relaxed)
            : ((BsonString)letter["sourceJson"]!).Value;
        Assert.Contains(key, item);
        Assert.Contains(attribute, item);
    }
}
