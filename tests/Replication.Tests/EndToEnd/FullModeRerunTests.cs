using Amazon.DynamoDBv2.Model;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Testing.DynamoLocal;
using Replication.Tests.Cli;
using Replication.Tests.Dynamo;

namespace Replication.Tests.EndToEnd;

/// <summary>`replication run` with mode = full, through the real executable, run a second time on its own checkpoints.</summary>
[Collection(DynamoDbLocalCollection.Name)]
public sealed class FullModeRerunTests(DynamoDbLocalFixture dynamo) : IAsyncLifetime
{
    private readonly DynamoToMongoCli _cli = new(dynamo.Local, "full");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _cli.DisposeAsync().AsTask();

    [Fact]
    public async Task A_second_run_of_a_finished_full_copy_ends_at_once_without_copying_again_and_a_reset_table_is_copied_again()
    {
        using var client = dynamo.Local.CreateClient();
        var table = await DynamoTestTables.CreateAsync(client, "full-rerun", "pk");
        for (var i = 0; i < 20; i++)
            await client.PutItemAsync(table, new Dictionary<string, AttributeValue> { ["pk"] = new() { S = $"k{i}" }, ["n"] = new() { N = $"{i}" } });
        var config = _cli.WriteConfig("full-rerun", table, "copied");
        var first = await ReplicationCli.RunAsync("run", "--config", config);
        Assert.True(first.ExitCode == 0, $"first run: exit {first.ExitCode}; {first.Error}");
        using var mongo = new MongoClient(_cli.Mongo.ConnectionString);
        var target = mongo.GetDatabase("copied").GetCollection<BsonDocument>(table);
        Assert.Equal(20, await target.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        // A document deleted on the target after the copy: a second run that copied again would bring it back.
        Assert.Equal(1, (await target.DeleteOneAsync(new BsonDocument("_id", "k3"))).DeletedCount);
        var second = await ReplicationCli.RunAsync("run", "--config", config);
        Assert.True(second.ExitCode == 0, $"second run: exit {second.ExitCode}; {second.Error}; {second.Output}");
        Assert.Contains($"table {table}: full sync already done", second.Output + second.Error);
        Assert.Equal(19, await target.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        // After `checkpoints reset` of the table, the next run copies it again.
        var reset = await ReplicationCli.RunAsync("checkpoints", "reset", "--config", config, "--table", table, "--yes");
        Assert.True(reset.ExitCode == 0, $"reset: exit {reset.ExitCode}; {reset.Error}");
        var third = await ReplicationCli.RunAsync("run", "--config", config);
        Assert.True(third.ExitCode == 0, $"third run: exit {third.ExitCode}; {third.Error}");
        Assert.Equal(20, await target.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }
}
