using System.Net.Http.Json;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Replication.ShardActors.MongoSource;
using Xunit.Abstractions;

namespace Replication.Tests.MongoSource;

/// <summary>
/// Documents the target refuses — here a unique index the target has and the source has not — go to the dead letters,
/// during the copy and during change application, and the checkpoints move on past them.
/// </summary>
public sealed class MongoToMongoDeadLetterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private MongoToMongoHarness _h = null!;

    public Task InitializeAsync()
    {
        _h = new MongoToMongoHarness(output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Documents_the_target_refuses_are_dead_lettered_in_the_copy_and_in_change_apply_and_the_checkpoints_move_past_them()
    {
        await _h.SourceCollection("shop.users").InsertManyAsync(Enumerable.Range(0, 10)
            .Select(i => new BsonDocument { { "_id", i }, { "email", i == 7 ? "dup@example.com" : $"u{i}@example.com" } }));
        await _h.SourceCollection("shop.users").UpdateOneAsync(new BsonDocument("_id", 3), new BsonDocument("$set", new BsonDocument("email", "dup@example.com")));
        await _h.TargetCollection("shop.users").Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(new BsonDocument("email", 1), new CreateIndexOptions { Unique = true }));
        var settings = _h.Settings("replication.filter.include=[\"shop.users\"]");
        await using var node = await _h.StartNodeAsync(settings);
        await _h.WaitForPhaseAsync(settings, MongoSyncPhase.Incremental);

        var letters = _h.Target.GetDatabase(settings.CheckpointDatabase).GetCollection<BsonDocument>(settings.DeadLetterCollection);
        var copyLetter = Assert.Single(await letters.Find(new BsonDocument("phase", "full-sync")).ToListAsync());
        Assert.Equal("shop.users", copyLetter["table"].AsString);
        Assert.Equal("shop.users", copyLetter["collection"].AsString);
        Assert.Equal(11000, copyLetter["code"].ToInt32());
        var refused = BsonSerializer.Deserialize<BsonDocument>(copyLetter["document"].AsByteArray);
        Assert.Equal("dup@example.com", refused["email"].AsString);
        Assert.Contains(copyLetter["key"].AsString, new[] { "3", "7" });
        Assert.Equal(9, await _h.TargetCollection("shop.users").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.All(await _h.Checkpoints(settings).LoadRangesAsync(1, default), r => Assert.True(r.Done));
        using var http = new HttpClient { BaseAddress = node.Management.BaseAddress };
        Assert.Equal(1, await DeadLettersInProgressAsync(http, "shop.users"));

        // Change apply: the refused insert is dead-lettered, the one after it is applied and the stream's position passes both.
        await _h.SourceCollection("shop.users").InsertOneAsync(new BsonDocument { { "_id", 100 }, { "email", "u1@example.com" } });
        await _h.SourceCollection("shop.users").InsertOneAsync(new BsonDocument { { "_id", 101 }, { "email", "new@example.com" } });
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (await _h.TargetCollection("shop.users").CountDocumentsAsync(new BsonDocument("_id", 101)) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the insert after the refused one was not applied");
            await Task.Delay(100);
        }
        var changeLetter = Assert.Single(await letters.Find(new BsonDocument("phase", "incremental")).ToListAsync());
        Assert.Equal("100", changeLetter["key"].AsString);
        Assert.Equal("insert", changeLetter["operation"].AsString);
        Assert.Equal(11000, changeLetter["code"].ToInt32());
        Assert.Equal(0, await _h.TargetCollection("shop.users").CountDocumentsAsync(new BsonDocument("_id", 100)));
        var stream = Assert.Single(await _h.Checkpoints(settings).LoadStreamsAsync(1, default));
        Assert.True(stream.EventsApplied >= 1, $"the stream's checkpoint should have moved past the applied insert ({stream.EventsApplied} events)");
        Assert.Equal(2, await DeadLettersInProgressAsync(http, "shop.users"));
    }

    /// <summary>The dead letters /progress counts for one source namespace.</summary>
    private static async Task<long> DeadLettersInProgressAsync(HttpClient http, string ns)
    {
        var progress = (await http.GetFromJsonAsync<JsonElement>("progress")).GetProperty("progress");
        var table = Assert.Single(progress.GetProperty("tables").EnumerateArray(), t => t.GetProperty("table").GetString() == ns);
        return table.GetProperty("deadLetters").GetProperty("items").GetInt64();
    }
}
