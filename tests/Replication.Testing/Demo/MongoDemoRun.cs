using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Testing.Comparison;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Testing.Demo;

/// <summary>
/// `demo --mongo`: MongoDB → MongoDB with two in-memory MongoDB servers (the project's test double) as source and target,
/// the real `replication` executable as a child process, changes on the source during the copy and after it, then a
/// check that every selected namespace on the target holds exactly the source's documents. Exit code 0 only when they do.
/// </summary>
public sealed class MongoDemoRun(DemoOptions options)
{
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(20);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private static readonly Dictionary<string, string> Namespaces = new()
    {
        ["shop.orders"] = "shop.orders",
        ["shop.customers"] = "crm.customers",
    };

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Step("starting two in-memory MongoDB servers, source and target (the project's TEST DOUBLE speaking the wire protocol — not a real mongod)");
        await using var sourceServer = new InMemoryMongoServer();
        await using var targetServer = new InMemoryMongoServer();
        using var source = new MongoClient(sourceServer.ConnectionString);
        using var target = new MongoClient(targetServer.ConnectionString);
        Detail($"source {sourceServer.ConnectionString}, target {targetServer.ConnectionString}");

        Step($"loading shop.orders ({options.Items} documents, _ids of several types, 3 secondary indexes), shop.customers ({options.Orders}), shop.audit (excluded)");
        await SeedAsync(source, cancellationToken).ConfigureAwait(false);

        var config = Path.Combine(Path.GetTempPath(), $"replication-mongo-demo-{Environment.ProcessId}.conf");
        await File.WriteAllTextAsync(config, $$"""
            replication {
              id = mongo-demo
              source.type = mongodb
              source.mongodb { uri = "{{sourceServer.ConnectionString}}", range-documents = 1000, copiers = 4 }
              target.mongodb.uri = "{{targetServer.ConnectionString}}"
              filter { include = ["shop"], exclude = ["shop.audit"] }
              transform.rename { "shop.customers" = "crm.customers" }
              full-sync.items-per-second = 3000
              management.http.port = 0
            }
            """, cancellationToken).ConfigureAwait(false);
        Step($"starting `replication run --config {config}` (filter: db shop without shop.audit; rename shop.customers → crm.customers)");
        await using var process = ReplicationProcess.Start(options.ReplicationExecutable, ["run", "--config", config], line => Console.WriteLine($"         | {line}"));
        try
        {
            Step($"changing the source while it copies and afterwards ({options.ChurnDuration.TotalSeconds:0} s, ~{options.ChangesPerSecond} changes/s)");
            var changes = await ChurnAsync(source, cancellationToken).ConfigureAwait(false);
            Detail($"{changes} inserts, updates, replaces and deletes made on the source");

            Step("waiting until the target equals the source (every document byte for byte)");
            var difference = await MongoNamespaceComparison.WaitUntilEqualAsync(source, target, Namespaces, options.Timeout, cancellationToken).ConfigureAwait(false);
            var indexes = await (await target.GetDatabase("shop").GetCollection<BsonDocument>("orders").Indexes.ListAsync(cancellationToken).ConfigureAwait(false))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            Step("stopping replication with SIGINT (Ctrl-C)");
            var (exitCode, how) = await process.StopAsync(StopPatience).ConfigureAwait(false);
            Detail($"replication {how}, exit code {exitCode}");
            if (difference is not null)
            {
                Console.WriteLine($"FAILED: target differs from source: {difference}");
                return 1;
            }
            Console.WriteLine($"OK: {string.Join(", ", Namespaces.Select(n => $"{n.Key} → {n.Value}"))} equal on source and target; " +
                              $"target shop.orders has indexes {string.Join(", ", indexes.Select(i => i["name"].AsString))}");
            return 0;
        }
        finally
        {
            File.Delete(config);
        }
    }

    private async Task SeedAsync(IMongoClient source, CancellationToken cancellationToken)
    {
        var orders = source.GetDatabase("shop").GetCollection<BsonDocument>("orders");
        await orders.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<BsonDocument>(new BsonDocument("sku", 1), new CreateIndexOptions { Unique = true }),
            new CreateIndexModel<BsonDocument>(new BsonDocument { { "customer", 1 }, { "at", -1 } }),
            new CreateIndexModel<BsonDocument>(new BsonDocument("at", 1), new CreateIndexOptions { ExpireAfter = TimeSpan.FromDays(30) }),
        ], cancellationToken).ConfigureAwait(false);
        await orders.InsertManyAsync(Enumerable.Range(0, options.Items).Select(Order), cancellationToken: cancellationToken).ConfigureAwait(false);
        await source.GetDatabase("shop").GetCollection<BsonDocument>("customers").InsertManyAsync(
            Enumerable.Range(0, Math.Max(1, options.Orders)).Select(i => new BsonDocument { { "_id", i }, { "name", $"customer {i}" } }),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await source.GetDatabase("shop").GetCollection<BsonDocument>("audit").InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    private static BsonDocument Order(int i) => new()
    {
        { "_id", (i % 3) switch { 0 => (BsonValue)i, 1 => $"order-{i:D7}", _ => ObjectId.GenerateNewId() } },
        { "sku", $"sku-{i}" }, { "customer", i % 97 }, { "at", DateTime.UtcNow.AddMinutes(-i) }, { "total", new BsonDecimal128(i * 1.25m) },
        { "lines", new BsonArray(Enumerable.Range(0, i % 4).Select(l => new BsonDocument { { "n", l }, { "qty", l + 1 } })) },
    };

    private async Task<int> ChurnAsync(IMongoClient source, CancellationToken cancellationToken)
    {
        var orders = source.GetDatabase("shop").GetCollection<BsonDocument>("orders");
        var customers = source.GetDatabase("shop").GetCollection<BsonDocument>("customers");
        var random = new Random(7);
        var until = DateTime.UtcNow + options.ChurnDuration;
        var delay = TimeSpan.FromSeconds(1.0 / options.ChangesPerSecond);
        var count = 0;
        while (DateTime.UtcNow < until)
        {
            var id = random.Next(options.Items / 3) * 3; // the int _ids
            switch (count % 5)
            {
                case 0: await orders.UpdateOneAsync(new BsonDocument("_id", id), new BsonDocument("$inc", new BsonDocument("total", 1)), cancellationToken: cancellationToken).ConfigureAwait(false); break;
                case 1: await orders.ReplaceOneAsync(new BsonDocument("_id", id), new BsonDocument { { "_id", id }, { "sku", $"replaced-{count}" } }, cancellationToken: cancellationToken).ConfigureAwait(false); break;
                case 2: await orders.DeleteOneAsync(new BsonDocument("_id", id), cancellationToken).ConfigureAwait(false); break;
                case 3: await orders.InsertOneAsync(new BsonDocument { { "_id", $"new-{count}" }, { "sku", $"new-{count}" } }, cancellationToken: cancellationToken).ConfigureAwait(false); break;
                default: await customers.UpdateOneAsync(new BsonDocument("_id", count % Math.Max(1, options.Orders)), new BsonDocument("$set", new BsonDocument("seen", count)), cancellationToken: cancellationToken).ConfigureAwait(false); break;
            }
            count++;
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        return count;
    }

    private void Step(string text) => Console.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0}s] {text}");

    private static void Detail(string text) => Console.WriteLine($"         {text}");
}
