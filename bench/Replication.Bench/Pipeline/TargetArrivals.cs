using System.Collections.Concurrent;
using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;

namespace Replication.Bench.Pipeline;

/// <summary>
/// When each document became visible in the target: a change stream on the target collection (or database) stamps
/// every event's <c>_id</c> with the benchmark's clock as it arrives; a string <c>_id</c> is its own key, any other
/// (an ObjectId) its string form.
/// </summary>
public sealed class TargetArrivals : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, long> _arrivals = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly IChangeStreamCursor<ChangeStreamDocument<RawBsonDocument>> _stream;
    private readonly Task _reading;

    /// <summary>A database's stream typed like a collection's stream of raw documents (the database API has no such overload).</summary>
    private static readonly PipelineDefinition<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<RawBsonDocument>> EventsOfRawDocuments =
        new BsonDocumentStagePipelineDefinition<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<RawBsonDocument>>(
            [], new ChangeStreamDocumentSerializer<RawBsonDocument>(RawBsonDocumentSerializer.Instance));

    private TargetArrivals(IChangeStreamCursor<ChangeStreamDocument<RawBsonDocument>> stream)
    {
        _stream = stream;
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<TargetArrivals> StartAsync(IMongoCollection<RawBsonDocument> collection, CancellationToken cancellationToken = default)
    {
        var stream = await collection.WatchAsync(new ChangeStreamOptions { MaxAwaitTime = TimeSpan.FromMilliseconds(20), BatchSize = 1000 }, cancellationToken)
                                     .ConfigureAwait(false);
        return new TargetArrivals(stream);
    }

    /// <summary>Every collection of the target database (the MongoDB → MongoDB run spreads its documents over several).</summary>
    public static async Task<TargetArrivals> StartAsync(IMongoDatabase database, CancellationToken cancellationToken = default)
    {
        var stream = await database.WatchAsync(EventsOfRawDocuments, new ChangeStreamOptions { MaxAwaitTime = TimeSpan.FromMilliseconds(20), BatchSize = 1000 }, cancellationToken)
                                   .ConfigureAwait(false);
        return new TargetArrivals(stream);
    }

    public int Count => _arrivals.Count;

    public bool TryGet(string key, out long timestamp) => _arrivals.TryGetValue(key, out timestamp);

    private async Task ReadAsync()
    {
        try
        {
            while (await _stream.MoveNextAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var change in _stream.Current)
                {
                    switch (change.DocumentKey?.GetValue("_id", BsonNull.Value))
                    {
                        case BsonString id: _arrivals.TryAdd(id.Value, now); break;
                        case BsonObjectId id: _arrivals.TryAdd(id.Value.ToString(), now); break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Polls until every key has arrived; false when the timeout passes first.</summary>
    public async Task<bool> WaitForAsync(IReadOnlyCollection<string> keys, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_reading.IsCompleted) await _reading.ConfigureAwait(false);
            if (keys.All(_arrivals.ContainsKey)) return true;
            await Task.Delay(50).ConfigureAwait(false);
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _reading.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The stream is being torn down; its last error does not matter to the figures already taken.
        }
        // Closing the server-side cursor (killCursors) blocks in the driver: off the caller's thread.
        await Task.Run(_stream.Dispose).ConfigureAwait(false);
        _stop.Dispose();
    }
}
