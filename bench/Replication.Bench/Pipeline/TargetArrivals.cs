using System.Collections.Concurrent;
using System.Diagnostics;
using Replication.Bson;
using Replication.Mongo;

namespace Replication.Bench.Pipeline;

/// <summary>
/// When each document became visible in the target: a change stream on the target collection stamps every event's
/// <c>_id</c> with the benchmark's clock as it arrives.
/// </summary>
public sealed class TargetArrivals : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, long> _arrivals = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly MongoChangeStream _stream;
    private readonly Task _reading;

    private TargetArrivals(MongoChangeStream stream)
    {
        _stream = stream;
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<TargetArrivals> StartAsync(MongoCollection collection, CancellationToken cancellationToken = default)
    {
        var stream = await collection.WatchAsync(new ChangeStreamOptions { MaxAwaitTimeMS = 20, BatchSize = 1000 }, cancellationToken)
                                     .ConfigureAwait(false);
        return new TargetArrivals(stream);
    }

    public int Count => _arrivals.Count;

    public bool TryGet(string key, out long timestamp) => _arrivals.TryGetValue(key, out timestamp);

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var change in _stream.WithCancellation(_stop.Token).ConfigureAwait(false))
            {
                var now = Stopwatch.GetTimestamp();
                var reader = new BsonDocumentReader(change.Document.Span);
                if (!reader.TryGetElement("documentKey", out var key)) continue;
                if (!key.AsDocument.TryGetElement("_id", out var id) || id.Type != BsonType.String) continue;
                _arrivals.TryAdd(id.AsString, now);
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
        await _stream.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
