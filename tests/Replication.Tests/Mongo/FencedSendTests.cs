using MongoDB.Bson;
using MongoDB.Driver;
using Replication.Checkpoints;
using Replication.Cluster;

namespace Replication.Tests.Mongo;

/// <summary>
/// A write whose fence expires after <see cref="LeaseFence.WriteAsync{T}"/> let it through but before the client sends
/// it — a process frozen in between and woken past its lease — is stopped by the client's last check as the message
/// goes out: the server never receives it. Writes outside any fence, and under a valid one, are untouched.
/// </summary>
public sealed class FencedSendTests : MongoServerTest
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private readonly ManualClock _clock = new();

    [Fact]
    public async Task A_write_whose_fence_expired_between_its_check_and_its_send_never_reaches_the_server()
    {
        var items = Collection();
        await items.InsertOneAsync(new BsonDocument("_id", 1)); // the connection is open and the server known
        using var fence = new LeaseFence(new CheckpointFence("node-a", 3), Duration, _clock.GetTimestamp(), _clock);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => fence.WriteAsync(async token =>
        {
            _clock.Advance(Duration); // frozen right after the fence check
            await items.InsertOneAsync(new BsonDocument("_id", 2), cancellationToken: CancellationToken.None);
        }, CancellationToken.None));

        Assert.True(refused is LeaseLostException || FindInner<LeaseLostException>(refused) is not null,
            $"the write failed for another reason: {refused}");
        Assert.Equal(1, await items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task Writes_under_a_valid_fence_and_outside_any_fence_are_sent()
    {
        var items = Collection();
        using var fence = new LeaseFence(new CheckpointFence("node-a", 3), Duration, _clock.GetTimestamp(), _clock);
        await fence.WriteAsync(token => items.InsertOneAsync(new BsonDocument("_id", 1), cancellationToken: token), CancellationToken.None);
        _clock.Advance(Duration); // expired now, but the next write is not made under it
        await items.InsertOneAsync(new BsonDocument("_id", 2));
        Assert.Equal(2, await items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    private static T? FindInner<T>(Exception e) where T : Exception
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is T found) return found;
        return null;
    }
}
