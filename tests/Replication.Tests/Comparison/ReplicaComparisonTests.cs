using Amazon.DynamoDBv2.Model;
using MongoDB.Bson;
using Replication.Dynamo.Conversion;
using MongoDB.Driver;
using Replication.MongoAccess;
using Replication.Tests.Dynamo;
using Replication.Testing.Comparison;
using Replication.Testing.DynamoLocal;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Tests.Comparison;

/// <summary>The comparison the demo and the end-to-end tests rely on, against a real DynamoDB Local and the in-memory MongoDB server.</summary>
[Collection(DynamoDbLocalCollection.Name)]
public sealed class ReplicaComparisonTests(DynamoDbLocalFixture dynamo)
{
    [Fact]
    public async Task A_faithful_copy_matches_and_every_kind_of_drift_is_reported()
    {
        using var sdk = dynamo.Local.CreateClient();
        var table = await DynamoTestTables.CreateAsync(sdk, "compare", "customer", "order");
        for (var i = 0; i < 30; i++)
        {
            await sdk.PutItemAsync(table, new Dictionary<string, AttributeValue>
            {
                ["customer"] = new() { S = $"c{i % 4}" },
                ["order"] = new() { S = $"o{i:D3}" },
                ["total"] = new() { N = $"{i}.5" },
                ["address"] = new() { M = new() { ["city"] = new() { S = "Lyon" }, ["zip"] = new() { N = "69001" } } },
            });
        }
        await using var server = new InMemoryMongoServer();
        using var client = MongoClientFactory.Create(server.ConnectionString);
        var target = client.GetDatabase("dynamodb");
        var comparison = new ReplicaComparison(sdk, target, ConvertMode.Typed, IdentityMode.Id);

        var source = await comparison.ReadSourceAsync(table);
        Assert.Equal(30, source.Count);
        Assert.All(source.Values, d => Assert.IsType<BsonDocument>(d["_id"])); // composite key → {customer, order}
        // The copy lists the map's fields in reverse, as a stream image may: still a match.
        foreach (var document in source.Values)
        {
            var copy = new BsonDocument(document.Select(e => e.Name == "address" ? new BsonElement(e.Name, new BsonDocument(((BsonDocument)e.Value).Reverse())) : e));
            await MongoCollections.Raw(target, table).InsertOneAsync(new RawBsonDocument(copy.ToBson()));
        }
        var faithful = await comparison.WaitUntilEqualAsync(table, table, TimeSpan.FromSeconds(30));
        Assert.True(faithful.IsMatch, faithful.ToString());

        await sdk.DeleteItemAsync(table, new() { ["customer"] = new() { S = "c1" }, ["order"] = new() { S = "o001" } });
        await sdk.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = new() { ["customer"] = new() { S = "c2" }, ["order"] = new() { S = "o002" } },
            UpdateExpression = "SET #t = :t",
            ExpressionAttributeNames = new() { ["#t"] = "total" },
            ExpressionAttributeValues = new() { [":t"] = new() { N = "99" } },
        });
        await sdk.PutItemAsync(table, new() { ["customer"] = new() { S = "c9" }, ["order"] = new() { S = "o999" } });

        // A short timeout: the target never catches up here, so the last comparison comes back with the drift.
        var drift = await comparison.WaitUntilEqualAsync(table, table, TimeSpan.FromMilliseconds(1));

        Assert.False(drift.IsMatch);
        Assert.Equal(30, drift.SourceCount);
        Assert.Equal(30, drift.TargetCount);
        Assert.Contains("o999", Assert.Single(drift.Missing));
        Assert.Contains("o001", Assert.Single(drift.Extra));
        Assert.Contains("o002", Assert.Single(drift.Changed));
        Assert.Contains("99", drift.ChangedExample);
    }

    [Theory]
    [InlineData(IdentityMode.Id)]
    [InlineData(IdentityMode.Fields)]
    public async Task A_wrong_field_planted_in_the_target_is_reported_with_the_item_key_and_the_field(IdentityMode identity)
    {
        using var sdk = dynamo.Local.CreateClient();
        var table = await DynamoTestTables.CreateAsync(sdk, "planted", "pk");
        await new DynamoItemGenerator("pk", seed: 5).PutItemsAsync(sdk, table, 20);
        await using var server = new InMemoryMongoServer();
        using var client = MongoClientFactory.Create(server.ConnectionString);
        var target = client.GetDatabase("dynamodb");
        var comparison = new ReplicaComparison(sdk, target, ConvertMode.Typed, identity);

        // A faithful copy, but for one nested number of one item that is off by one, in the right BSON type.
        var planted = DynamoItemGenerator.KeyOf(7);
        foreach (var document in (await comparison.ReadSourceAsync(table)).Values)
        {
            var copy = document.DeepClone().AsBsonDocument;
            if (identity == IdentityMode.Fields) copy.InsertAt(0, new BsonElement("_id", ObjectId.GenerateNewId()));
            if (copy["pk"] is BsonString { Value: var key } && key == planted)
            {
                var map = copy["map"].AsBsonDocument;
                map["n"] = map["n"].AsInt32 + 1;
            }
            await MongoCollections.Raw(target, table).InsertOneAsync(new RawBsonDocument(copy.ToBson()));
        }

        var difference = await comparison.CompareAsync(table, table);

        Assert.False(difference.IsMatch);
        Assert.Empty(difference.Missing);
        Assert.Empty(difference.Extra);
        Assert.Contains(planted, Assert.Single(difference.Changed));
        var report = difference.ToString();
        Assert.True(report.Contains($"item {difference.Changed[0]}: field map.n 7 (Int32) in the source, 8 (Int32) in the target", StringComparison.Ordinal), report);
    }
}
