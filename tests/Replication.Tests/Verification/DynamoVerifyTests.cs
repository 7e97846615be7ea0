using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Testing.DynamoLocal;
using Replication.Tests.Cli;
using Replication.Tests.Dynamo;

namespace Replication.Tests.Verification;

/// <summary>`replication verify` on DynamoDB Local and the in-memory MongoDB server, through the real executable.</summary>
[Collection(DynamoDbLocalCollection.Name)]
public sealed class DynamoVerifyTests(DynamoDbLocalFixture dynamo) : IAsyncLifetime
{
    private readonly DynamoToMongoCli _cli = new(dynamo.Local, "verify");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _cli.DisposeAsync().AsTask();

    [Theory]
    [InlineData("id")]      // _id = {pk, sk}
    [InlineData("fields")]  // _id left to MongoDB: documents are matched by their pk and sk fields
    public async Task A_fully_synced_table_is_equal_and_a_missing_an_extra_and_a_changed_document_are_each_reported_with_its_key(string key)
    {
        using var client = dynamo.Local.CreateClient();
        var table = await DynamoTestTables.CreateAsync(client, "verify", "pk", "sk");
        for (var i = 0; i < 30; i++)
        {
            await client.PutItemAsync(table, new Dictionary<string, AttributeValue>
            {
                ["pk"] = new() { S = $"p{i % 4}" },
                ["sk"] = new() { S = $"s{i}" },
                ["n"] = new() { N = (i * 7).ToString() },
                ["tags"] = new() { SS = ["b", "a", $"t{i}"] },
                ["profile"] = new() { M = new() { ["z"] = new() { S = "last" }, ["a"] = new() { N = "1.5" } } },
            });
        }
        var config = _cli.WriteConfig("verify-test", table, "verified", $"""
              full-sync.page-size = 7
              verify.parallelism = 3
              convert.key = {key}
            """);
        var run = await ReplicationCli.RunAsync("run", "--config", config);
        Assert.True(run.ExitCode == 0, $"run: exit {run.ExitCode}; {run.Error}");

        var equal = await ReplicationCli.RunAsync("verify", "--config", config);
        Assert.True(equal.ExitCode == 0, $"verify: exit {equal.ExitCode}; {equal.Output}; {equal.Error}");
        Assert.Contains($"{table} → verified.{table}", equal.Output);
        Assert.Contains("compared: source 30, target 30 documents", equal.Output);
        Assert.Contains("equal", equal.Output);

        using var mongo = new MongoClient(_cli.Mongo.ConnectionString);
        var target = mongo.GetDatabase("verified").GetCollection<BsonDocument>(table);
        BsonDocument Key(string pk, string sk) => key == "id"
            ? new("_id", new BsonDocument { { "pk", pk }, { "sk", sk } })
            : new BsonDocument { { "pk", pk }, { "sk", sk } };
        Assert.Equal(1, (await target.DeleteOneAsync(Key("p1", "s5"))).DeletedCount);
        var planted = new BsonDocument { { "pk", "p9" }, { "sk", "planted" } };
        if (key == "id") planted.InsertAt(0, new BsonElement("_id", new BsonDocument { { "pk", "p9" }, { "sk", "planted" } }));
        await target.InsertOneAsync(planted);
        Assert.Equal(1, (await target.UpdateOneAsync(Key("p2", "s6"), new BsonDocument("$set", new BsonDocument("n", 999)))).ModifiedCount);

        var differ = await ReplicationCli.RunAsync("verify", "--config", config);
        Assert.True(differ.ExitCode == 10, $"verify: exit {differ.ExitCode}; {differ.Output}; {differ.Error}");
        var lines = differ.Output.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l => l.StartsWith("missing") && l.Contains("\"p1\"") && l.Contains("\"s5\""));
        Assert.Contains(lines, l => l.StartsWith("extra") && l.Contains("\"planted\""));
        Assert.Contains(lines, l => l.StartsWith("different") && l.Contains("\"s6\"") && l.EndsWith("fields: n"));
        Assert.Contains("3 difference(s): 1 missing, 1 extra, 1 different", differ.Output);

        // Also under a rate limit smaller than a lookup batch, shared by the three Scan segments: the same result.
        var json = await ReplicationCli.RunAsync("verify", "--config", config, "--json", "--max-differences", "2", "--rate-limit", "100");
        Assert.Equal(10, json.ExitCode);
        var result = JsonDocument.Parse(json.Output).RootElement;
        Assert.False(result.GetProperty("equal").GetBoolean());
        var ns = result.GetProperty("namespaces")[0];
        Assert.Equal((1, 1, 1), (ns.GetProperty("missing").GetInt32(), ns.GetProperty("extra").GetInt32(), ns.GetProperty("different").GetInt32()));
        Assert.Equal(2, ns.GetProperty("differences").GetArrayLength());
    }
}
