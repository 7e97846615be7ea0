using System.Net;
using System.Net.Sockets;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Testing.InMemoryMongo.Wire;
using Replication.Tests.Cli;

namespace Replication.Tests.Verification;

/// <summary>`replication verify` between two in-memory MongoDB servers, through the real executable.</summary>
public sealed class MongoVerifyTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("replication-verify-").FullName;
    private readonly InMemoryMongoServer _source = new();
    private readonly InMemoryMongoServer _target = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _target.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private string Config(string targetUri, string? sourceUri = null)
    {
        var path = Path.Combine(_folder, "verify.conf");
        File.WriteAllText(path, $$"""
            replication {
              id = verify-mongo
              startup-timeout = 3s
              source.type = mongodb
              source.mongodb.uri = "{{sourceUri ?? _source.ConnectionString + "&serverSelectionTimeoutMS=5000"}}"
              target.mongodb.uri = "{{targetUri}}"
              filter { include = ["shop"], exclude = ["shop.tmp*"] }
              transform.rename { "shop" = "shop_copy", "shop.orders" = "archive.orders2" }
              # three _id ranges for orders, and source keys spilled to disk and checked in three rounds
              verify { parallelism = 3, keys-in-memory = 1000 }
            }
            """);
        return path;
    }

    [Fact]
    public async Task Renamed_collections_read_in_id_ranges_are_equal_and_planted_differences_are_each_reported_with_its_key()
    {
        using var source = new MongoClient(_source.ConnectionString);
        using var target = new MongoClient(_target.ConnectionString);
        var orders = Enumerable.Range(0, 3000)
            .Select(i => new BsonDocument { { "_id", i }, { "total", i * 1.5 }, { "meta", new BsonDocument { { "b", 2 }, { "a", i } } } })
            .Append(new BsonDocument { { "_id", "a-string-id" }, { "total", 1 } }) // another _id type: outside every range but the last
            .ToList();
        var customers = Enumerable.Range(0, 5).Select(i => new BsonDocument { { "_id", $"c{i}" }, { "name", $"customer {i}" } }).ToList();
        await source.GetDatabase("shop").GetCollection<BsonDocument>("orders").InsertManyAsync(orders);
        await source.GetDatabase("shop").GetCollection<BsonDocument>("customers").InsertManyAsync(customers);
        await source.GetDatabase("shop").GetCollection<BsonDocument>("tmp_scratch").InsertOneAsync(new BsonDocument("_id", 1)); // excluded
        await source.GetDatabase("other").GetCollection<BsonDocument>("stuff").InsertOneAsync(new BsonDocument("_id", 1));      // not included
        var targetOrders = target.GetDatabase("archive").GetCollection<BsonDocument>("orders2");
        var targetCustomers = target.GetDatabase("shop_copy").GetCollection<BsonDocument>("customers");
        await targetOrders.InsertManyAsync(orders);
        await targetCustomers.InsertManyAsync(customers);
        var config = Config(_target.ConnectionString + "&serverSelectionTimeoutMS=5000");

        var equal = await ReplicationCli.RunAsync("verify", "--config", config);
        Assert.True(equal.ExitCode == 0, $"verify: exit {equal.ExitCode}; {equal.Output}; {equal.Error}");
        Assert.Contains("shop.orders → archive.orders2", equal.Output);
        Assert.Contains("shop.customers → shop_copy.customers", equal.Output);
        Assert.Contains("compared: source 3,001, target 3,001 documents", equal.Output);
        Assert.DoesNotContain("tmp_scratch", equal.Output);
        Assert.DoesNotContain("other.stuff", equal.Output);
        Assert.Contains("verify: source and target are equal (2 compared, 3,006 documents)", equal.Output);

        await targetOrders.DeleteOneAsync(new BsonDocument("_id", 1234));
        await targetOrders.InsertOneAsync(new BsonDocument { { "_id", 99_999 }, { "total", 0 } });
        await targetOrders.UpdateOneAsync(new BsonDocument("_id", "a-string-id"), new BsonDocument("$set", new BsonDocument("total", 2)));
        await targetCustomers.UpdateOneAsync(new BsonDocument("_id", "c3"), new BsonDocument("$set", new BsonDocument("vip", true)));

        var differ = await ReplicationCli.RunAsync("verify", "--config", config);
        Assert.True(differ.ExitCode == 10, $"verify: exit {differ.ExitCode}; {differ.Output}; {differ.Error}");
        var lines = differ.Output.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains("missing   { \"_id\" : 1234 }", lines);
        Assert.Contains("extra     { \"_id\" : 99999 }", lines);
        Assert.Contains("different { \"_id\" : \"a-string-id\" } fields: total", lines);
        Assert.Contains("different { \"_id\" : \"c3\" } fields: vip", lines);
        Assert.Contains("verify: 2 of 2 differ: 1 missing, 1 extra, 2 different", differ.Output);

        var narrowed = await ReplicationCli.RunAsync("verify", "--config", config, "--tables", "shop.customers");
        Assert.Equal(10, narrowed.ExitCode);
        Assert.DoesNotContain("orders", narrowed.Output);
    }

    [Theory]
    [InlineData("target", 6, "replication.target.mongodb.uri")]
    [InlineData("source", 4, "replication.source.mongodb.uri")]
    public async Task An_unreachable_side_is_one_line_naming_its_setting_with_the_exit_code_of_run(string side, int exitCode, string setting)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now: connections are refused
        var closed = $"mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=1000";
        var config = side == "target" ? Config(closed) : Config(_target.ConnectionString, sourceUri: closed);

        var result = await ReplicationCli.RunAsync("verify", "--config", config);

        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}; {result.Output}; {result.Error}");
        var error = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));
        Assert.Contains(setting, error);
        Assert.DoesNotContain("   at ", result.Error);
    }
}
