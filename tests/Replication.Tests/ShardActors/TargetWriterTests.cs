using Microsoft.Extensions.Logging.Abstractions;
using MongoDB.Bson;
using Replication.Checkpoints;
using Replication.Configuration;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using MongoDB.Driver;
using Replication.MongoAccess;
using Replication.ShardActors.Apply;
using Replication.Tests.EndToEnd;
using Replication.Tests.Mongo;

namespace Replication.Tests.ShardActors;

public class TargetWriterTests : MongoServerTest
{
    private CheckpointStore Checkpoints => new(Client.GetDatabase("t_checkpoint"));
    private IMongoCollection<RawBsonDocument> Target => MongoCollections.Raw(Client.GetDatabase("dynamodb"), "Orders");

    private TargetWriter Writer(string phase = "stream", int maxAttempts = 3, StaleDocumentPolicy staleDocuments = StaleDocumentPolicy.Remove) =>
        new(Target, Checkpoints, "Orders", phase, new KeyFilterBuilder(IdentityMode.Id, new TableKeySchema("id", null)),
            NullLogger.Instance, new TargetWriterOptions
            {
                MaxAttempts = maxAttempts, MinBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(5), StaleDocuments = staleDocuments,
            });

    private static byte[] Doc(string id, int v, string? email = null)
    {
        var d = new BsonDocument { { "_id", id }, { "id", id }, { "v", v } };
        if (email is not null) d.Add("email", email);
        return d.ToBson();
    }

    private static byte[] Key(string id) => new BsonDocument { { "_id", id } }.ToBson();

    private async Task<Dictionary<string, int>> TargetContents() =>
        (await Client.GetDatabase("dynamodb").GetCollection<BsonDocument>("Orders").Find(new BsonDocument()).ToListAsync())
            .ToDictionary(d => ((BsonString)d["_id"]!).Value, d => ((BsonInt32)d["v"]!).Value);

    [Fact]
    public async Task Inserting_a_page_again_replaces_what_is_there_instead_of_failing()
    {
        var writer = Writer("full-sync");
        var first = await writer.WriteAsync([new(TargetWriteKind.Insert, default, Doc("a", 1)), new(TargetWriteKind.Insert, default, Doc("b", 1))], default);
        var again = await writer.WriteAsync([new(TargetWriteKind.Insert, default, Doc("a", 2)), new(TargetWriteKind.Insert, default, Doc("c", 2))], default);

        Assert.Equal(new WriteSummary(2, 0, 0, 0), first);
        Assert.Equal(new WriteSummary(1, 1, 0, 0), again);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["b"] = 1, ["c"] = 2 }, await TargetContents());
    }

    [Fact]
    public async Task A_batch_collapses_to_the_last_change_of_each_key()
    {
        StreamRecord R(StreamEventName e, string id, int v, string seq) =>
            new(e, SequenceNumber.Parse(seq), null, 10, Key(id), e == StreamEventName.Remove ? default : Doc(id, v));
        var records = new[]
        {
            R(StreamEventName.Insert, "a", 1, "100000000000000000001"),
            R(StreamEventName.Insert, "b", 1, "100000000000000000002"),
            R(StreamEventName.Modify, "a", 2, "100000000000000000003"),
            R(StreamEventName.Remove, "b", 0, "100000000000000000004"),
            R(StreamEventName.Insert, "b", 3, "100000000000000000005"),
            R(StreamEventName.Insert, "c", 1, "100000000000000000006"),
            R(StreamEventName.Remove, "c", 0, "100000000000000000007"),
        };

        var plan = StreamBatchPlanner.Plan(records);

        Assert.Equal(3, plan.Writes.Count);
        Assert.Equal(["100000000000000000003", "100000000000000000005", "100000000000000000007"], plan.Writes.Select(w => w.SequenceNumber));
        Assert.Equal([TargetWriteKind.Replace, TargetWriteKind.Replace, TargetWriteKind.Delete], plan.Writes.Select(w => w.Kind));

        await Target.InsertOneAsync(new RawBsonDocument(Doc("c", 0)));
        var summary = await Writer().WriteAsync(plan.Writes, default);
        Assert.Equal(new WriteSummary(0, 2, 1, 0), summary);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["b"] = 3 }, await TargetContents());
    }

    [Fact]
    public async Task An_item_mongo_would_misread_is_dead_lettered_and_the_rest_applied()
    {
        var bad = new BsonDocument { { "_id", "x" }, { "$set", 1 } }.ToBson();
        var summary = await Writer().WriteAsync(
            [new(TargetWriteKind.Replace, Key("x"), bad, "100000000000000000009"), new(TargetWriteKind.Replace, Key("a"), Doc("a", 1))], default);

        Assert.Equal(new WriteSummary(0, 1, 0, 1), summary);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1 }, await TargetContents());
        var letter = Assert.Single(await Checkpoints.ListDeadLettersAsync("Orders"));
        Assert.Contains("$set", ((BsonString)letter["error"]!).Value);
        Assert.Contains("\"x\"", ((BsonString)letter["key"]!).Value);
        Assert.Equal("100000000000000000009", ((BsonString)letter["sequenceNumber"]!).Value);
    }

    [Fact]
    public async Task An_item_the_server_refuses_is_dead_lettered_with_its_code_and_the_others_are_applied()
    {
        await Target.Indexes.CreateOneAsync(new CreateIndexModel<RawBsonDocument>(new BsonDocument { { "email", 1 } }, new CreateIndexOptions { Unique = true }));
        await Writer().WriteAsync([new(TargetWriteKind.Replace, Key("a"), Doc("a", 1, "same@x"))], default);

        var summary = await Writer().WriteAsync(
            [new(TargetWriteKind.Replace, Key("b"), Doc("b", 1, "same@x")), new(TargetWriteKind.Replace, Key("c"), Doc("c", 1, "other@x"))], default);

        Assert.Equal(new WriteSummary(0, 1, 0, 1), summary);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["c"] = 1 }, await TargetContents());
        var letter = Assert.Single(await Checkpoints.ListDeadLettersAsync("Orders"));
        Assert.Equal(11000, ((BsonInt32)letter["code"]!).Value);
        Assert.Equal(Doc("b", 1, "same@x"), ((BsonBinaryData)letter["document"]).Bytes);
    }

    [Fact]
    public async Task A_document_over_the_size_limit_is_dead_lettered_with_code_10334_and_the_others_are_applied()
    {
        var tooLarge = new BsonDocument { { "_id", "big" }, { "id", "big" }, { "blob", new BsonBinaryData(new byte[16 * 1024 * 1024]) } }.ToBson();

        var summary = await Writer("full-sync").WriteAsync(
            [new(TargetWriteKind.Insert, default, Doc("a", 1)), new(TargetWriteKind.Insert, default, tooLarge), new(TargetWriteKind.Insert, default, Doc("c", 1))], default);

        Assert.Equal(new WriteSummary(2, 0, 0, 1), summary);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["c"] = 1 }, await TargetContents());
        var letter = Assert.Single(await Checkpoints.ListDeadLettersAsync("Orders"));
        Assert.Equal(10334, ((BsonInt32)letter["code"]!).Value);
        Assert.Contains("16777216", ((BsonString)letter["error"]!).Value);
        Assert.Contains("\"big\"", ((BsonString)letter["key"]!).Value);
        Assert.Equal(tooLarge.Length, ((BsonInt32)letter["documentBytes"]!).Value); // too large to keep in the dead letter itself
    }

    [Fact]
    public async Task A_lost_connection_is_retried_and_the_batch_still_lands()
    {
        var writer = Writer(maxAttempts: 8);
        await writer.WriteAsync([new(TargetWriteKind.Replace, Key("a"), Doc("a", 1))], default);
        Server.KillConnections();

        var summary = await writer.WriteAsync([new(TargetWriteKind.Replace, Key("a"), Doc("a", 2)), new(TargetWriteKind.Delete, Key("zz"), default)], default);

        Assert.Equal(new WriteSummary(0, 1, 1, 0), summary);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2 }, await TargetContents());
    }
    [Fact]
    public async Task A_write_concern_error_beside_write_errors_is_never_counted_as_applied()
    {
        await Target.Indexes.CreateOneAsync(new CreateIndexModel<RawBsonDocument>(new BsonDocument { { "email", 1 } }, new CreateIndexOptions { Unique = true }));
        await Writer().WriteAsync([new(TargetWriteKind.Replace, Key("a"), Doc("a", 1, "same@x"))], default);
        Server.Engine.Instance.WriteConcernFaults.FailNext(100);

        var error = await Assert.ThrowsAsync<MongoBulkWriteException<RawBsonDocument>>(() => Writer(maxAttempts: 3).WriteAsync(
            [new(TargetWriteKind.Replace, Key("b"), Doc("b", 1, "same@x")), new(TargetWriteKind.Replace, Key("c"), Doc("c", 1, "other@x"))], default));

        Assert.NotNull(error.WriteConcernError);
        Assert.Equal(3, Server.Engine.Instance.WriteConcernFaults.Reported); // every attempt sent the whole batch
    }

    [Fact]
    public async Task A_write_concern_error_beside_write_errors_sends_the_whole_batch_again()
    {
        await Target.Indexes.CreateOneAsync(new CreateIndexModel<RawBsonDocument>(new BsonDocument { { "email", 1 } }, new CreateIndexOptions { Unique = true }));
        await Writer().WriteAsync([new(TargetWriteKind.Replace, Key("a"), Doc("a", 1, "same@x"))], default);
        Server.Engine.Instance.WriteConcernFaults.FailNext(1);

        var summary = await Writer().WriteAsync(
            [new(TargetWriteKind.Replace, Key("b"), Doc("b", 1, "same@x")), new(TargetWriteKind.Replace, Key("c"), Doc("c", 2, "other@x"))], default);

        Assert.Equal(new WriteSummary(0, 1, 0, 1), summary);
        Assert.Equal(1, Server.Engine.Instance.WriteConcernFaults.Reported);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["c"] = 2 }, await TargetContents());
        Assert.Single(await Checkpoints.ListDeadLettersAsync("Orders")); // recorded once, from the durable attempt
    }

    [Fact]
    public async Task A_write_concern_error_alone_is_retried_and_surfaces_when_it_persists()
    {
        Server.Engine.Instance.WriteConcernFaults.FailNext(1);
        var summary = await Writer().WriteAsync([new(TargetWriteKind.Replace, Key("a"), Doc("a", 1))], default);
        Assert.Equal(new WriteSummary(0, 1, 0, 0), summary);

        Server.Engine.Instance.WriteConcernFaults.FailNext(100);
        await Assert.ThrowsAsync<MongoBulkWriteException<RawBsonDocument>>(() => Writer(maxAttempts: 3).WriteAsync([new(TargetWriteKind.Replace, Key("a"), Doc("a", 2))], default));
        Assert.Equal(4, Server.Engine.Instance.WriteConcernFaults.Reported);
    }
    [Fact]
    public async Task Refused_credentials_surface_at_the_first_attempt_instead_of_being_retried()
    {
        using var refused = MongoClientFactory.Create(
            $"mongodb://replicator:wrong-pw@{Server.HostAndPort}/?directConnection=true&serverSelectionTimeoutMS=5000&connectTimeoutMS=5000");
        using var logs = new CapturedLogs();
        var writer = new TargetWriter(MongoCollections.Raw(refused.GetDatabase("dynamodb"), "Orders"), Checkpoints, "Orders", "stream",
            new KeyFilterBuilder(IdentityMode.Id, new TableKeySchema("id", null)), logs.CreateLogger("writer"),
            new TargetWriterOptions { MaxAttempts = 8, MinBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(5) });

        var error = await Assert.ThrowsAsync<MongoUnavailableException>(() => writer.WriteAsync([new(TargetWriteKind.Replace, Key("a"), Doc("a", 1))], default));

        Assert.Equal(MongoConnectionFailure.Authentication, error.Failure);
        Assert.DoesNotContain(logs.Lines, l => l.Text.StartsWith("retrying writes", StringComparison.Ordinal));
        Assert.Empty(await TargetContents());
    }

    [Fact]
    public async Task A_dead_lettered_update_removes_the_older_document_by_default_and_says_so()
    {
        await Writer().WriteAsync([new(TargetWriteKind.Replace, Key("a"), Doc("a", 1)), new(TargetWriteKind.Replace, Key("b"), Doc("b", 1))], default);
        var unwritable = new BsonDocument { { "_id", "a" }, { "id", "a" }, { "$v", 2 } }.ToBson();

        var summary = await Writer().WriteAsync(
            [new(TargetWriteKind.Replace, Key("a"), unwritable, "100000000000000000010"), new(TargetWriteKind.Replace, Key("b"), Doc("b", 2))], default);

        Assert.Equal(new WriteSummary(0, 1, 0, 1, StaleRemoved: 1), summary);
        Assert.Equal(new Dictionary<string, int> { ["b"] = 2 }, await TargetContents());
        var letter = Assert.Single(await Checkpoints.ListDeadLettersAsync("Orders"));
        Assert.Equal("removed", ((BsonString)letter["staleDocument"]!).Value);
        Assert.Equal(unwritable, ((BsonBinaryData)letter["document"]).Bytes); // the whole new item is kept
        Assert.Equal(1, await Checkpoints.CountDeadLettersAsync("Orders", StaleDocumentOutcome.Removed));
    }

    [Fact]
    public async Task A_dead_lettered_update_refused_by_the_server_also_removes_the_older_document()
    {
        await Target.Indexes.CreateOneAsync(new CreateIndexModel<RawBsonDocument>(new BsonDocument { { "email", 1 } }, new CreateIndexOptions { Unique = true }));
        await Writer().WriteAsync([new(TargetWriteKind.Replace, Key("a"), Doc("a", 1, "a@x")), new(TargetWriteKind.Replace, Key("b"), Doc("b", 1, "b@x"))], default);

        var summary = await Writer().WriteAsync([new(TargetWriteKind.Replace, Key("b"), Doc("b", 2, "a@x"))], default);

        Assert.Equal(new WriteSummary(0, 0, 0, 1, StaleRemoved: 1), summary);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1 }, await TargetContents());
    }

    [Fact]
    public async Task With_the_keep_policy_the_older_document_stays_and_the_dead_letter_says_it_is_stale()
    {
        await Writer().WriteAsync([new(TargetWriteKind.Replace, Key("a"), Doc("a", 1))], default);
        var unwritable = new BsonDocument { { "_id", "a" }, { "id", "a" }, { "$v", 2 } }.ToBson();
        var fresh = new BsonDocument { { "_id", "n" }, { "id", "n" }, { "$v", 2 } }.ToBson();

        var summary = await Writer(staleDocuments: StaleDocumentPolicy.Keep).WriteAsync(
            [new(TargetWriteKind.Replace, Key("a"), unwritable), new(TargetWriteKind.Replace, Key("n"), fresh)], default);

        Assert.Equal(new WriteSummary(0, 0, 0, 2, StaleKept: 1), summary);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1 }, await TargetContents());
        var letters = await Checkpoints.ListDeadLettersAsync("Orders");
        Assert.Equal(["kept", "none"], letters.Select(l => ((BsonString)l["staleDocument"]!).Value).Order());
    }
    [Fact]
    public void An_unconvertible_record_that_is_its_keys_last_change_marks_the_target_document_stale_and_drops_earlier_writes()
    {
        var broken = new ItemConversionFailure("{}", new ItemConversionException("bad", "id=x", "n"));
        StreamRecord Ok(string id, int v, string seq) => new(StreamEventName.Modify, SequenceNumber.Parse(seq), null, 10, Key(id), Doc(id, v));
        StreamRecord Bad(string id, string seq) => new StreamRecord(StreamEventName.Modify, SequenceNumber.Parse(seq), null, 10, Key(id), default) { ConversionFailure = broken };

        var plan = StreamBatchPlanner.Plan(
        [
            Ok("a", 1, "100000000000000000001"), Bad("a", "100000000000000000002"),
            Bad("b", "100000000000000000003"), Ok("b", 2, "100000000000000000004"),
        ]);

        Assert.Equal(["100000000000000000004"], plan.Writes.Select(w => w.SequenceNumber));
        Assert.Equal([("100000000000000000002", true), ("100000000000000000003", false)],
            plan.Unconvertible.Select(u => (u.Record.SequenceNumber.ToString(), u.LastOfKey)));
    }
}
