using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Bench.MongoPipeline;

/// <summary>
/// The source's limit for the catch-up: the deployment's change stream opened with the driver after the node's saved
/// resume token, with the node's options (post-images of updates, its batch size, expanded events), reading a given
/// number of events and throwing them away (no target) — or, given <c>apply</c>, handing each batch to it first
/// (<see cref="PlainApply"/>).
/// </summary>
public static class PlainWatch
{
    private static readonly PipelineDefinition<ChangeStreamDocument<BsonDocument>, RawBsonDocument> RawEvents =
        new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>().As<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<BsonDocument>, RawBsonDocument>();

    public static async Task<(long Events, TimeSpan Elapsed)> RunAsync(IMongoClient source, BsonDocument startAfter, long events, int batchSize, TimeSpan timeout,
                                                                      Func<IReadOnlyList<RawBsonDocument>, CancellationToken, Task>? apply = null)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var options = new ChangeStreamOptions
        {
            FullDocument = ChangeStreamFullDocumentOption.UpdateLookup,
            StartAfter = startAfter,
            ShowExpandedEvents = true,
            BatchSize = batchSize,
            MaxAwaitTime = TimeSpan.FromMilliseconds(100),
        };
        var clock = Stopwatch.StartNew();
        long read = 0;
        var cursor = await source.WatchAsync(RawEvents, options, cancel.Token).ConfigureAwait(false);
        try
        {
            while (read < events && await cursor.MoveNextAsync(cancel.Token).ConfigureAwait(false))
            {
                var batch = cursor.Current.ToList();
                if (apply is not null && batch.Count > 0) await apply(batch, cancel.Token).ConfigureAwait(false);
                read += batch.Count;
                foreach (var change in batch) change.Dispose();
            }
            return (read, clock.Elapsed);
        }
        finally
        {
            // Closing the server-side cursor (killCursors) blocks in the driver: off the caller's thread, outside the timing.
            await Task.Run(cursor.Dispose).ConfigureAwait(false);
        }
    }
}
