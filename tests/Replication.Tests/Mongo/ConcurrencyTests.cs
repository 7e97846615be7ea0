using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Tests.Mongo;

public sealed class ConcurrencyTests : MongoServerTest
{
    protected override int MaxPoolSize => 8;

    [Fact]
    public async Task Many_concurrent_operations_share_a_bounded_pool_and_leave_the_thread_pool_free()
    {
        var collection = Collection();
        const int operations = 400;
        var threadPoolThreadsBefore = ThreadPool.ThreadCount;
        var writes = Enumerable.Range(0, operations)
            .Select(i => collection.InsertOneAsync(new BsonDocument { { "_id", i } }))
            .ToList();

        // While hundreds of operations wait for one of the pool's connections, thread-pool work still runs.
        var probe = await Task.Run(() => Environment.CurrentManagedThreadId).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(probe > 0);

        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.InRange(Server.TotalConnections, 1, Client.Settings.MaxConnectionPoolSize + 2); // the pool's connections and the monitor's
        Assert.Equal(operations, (await collection.Find(new BsonDocument()).ToListAsync()).Count);
        // The driver's calls are asynchronous and park no pool threads, so the pool had no reason to inject dozens more.
        Assert.True(ThreadPool.ThreadCount < threadPoolThreadsBefore + operations / 4,
            $"thread pool grew from {threadPoolThreadsBefore} to {ThreadPool.ThreadCount}");
    }

    [Fact]
    public async Task Concurrent_cursors_beyond_the_pool_size_wait_for_a_client_instead_of_deadlocking()
    {
        var collection = Collection();
        await collection.InsertManyAsync(Enumerable.Range(0, 50).Select(i => new BsonDocument { { "_id", i } }));
        var readers = Enumerable.Range(0, Client.Settings.MaxConnectionPoolSize * 4).Select(async _ =>
        {
            var count = 0;
            using var cursor = await collection.FindAsync(new BsonDocument(), new FindOptions<BsonDocument> { BatchSize = 5 });
            while (await cursor.MoveNextAsync()) count += cursor.Current.Count();
            return count;
        });
        var counts = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.All(counts, c => Assert.Equal(50, c));
    }
}
