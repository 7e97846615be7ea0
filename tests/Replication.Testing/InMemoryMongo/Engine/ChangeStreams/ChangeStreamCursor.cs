using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Aggregation;
using Replication.Testing.InMemoryMongo.Engine.Cursors;

namespace Replication.Testing.InMemoryMongo.Engine.ChangeStreams;

/// <summary>
/// A change stream: reads the change log after its position, keeps events in its scope that pass the rest of the
/// pipeline, and waits (bounded by maxTimeMS) on the log when nothing is there. Every reply carries a
/// postBatchResumeToken: the last event returned, or the position scanned up to when the batch is empty.
/// After an invalidating event (drop/rename of the watched collection, dropDatabase) it returns invalidate and closes.
/// </summary>
public sealed class ChangeStreamCursor : ServerCursor
{
    private const int DefaultBatch = 101;
    private const int ReadChunk = 1000;
    private readonly ChangeLog _log;
    private readonly ChangeStreamScope _scope;
    private readonly ChangeEventRenderer _renderer;
    private readonly Pipeline _filters;
    private readonly TimeSpan _defaultAwait;
    private readonly bool _showExpanded;
    private ResumeToken _scanned;
    private bool _invalidated;

    public ChangeStreamCursor(ChangeLog log, ChangeStreamScope scope, ChangeEventRenderer renderer, Pipeline filters,
        ResumeToken start, TimeSpan defaultAwait, bool showExpanded = false) : base(scope.Namespace)
    {
        _showExpanded = showExpanded;
        _log = log;
        _scope = scope;
        _renderer = renderer;
        _filters = filters;
        _scanned = start;
        _defaultAwait = defaultAwait;
    }

    public override List<BsonDocument> NextBatch(int? batchSize, TimeSpan? maxAwait, out bool exhausted)
    {
        var batch = new List<BsonDocument>();
        var limit = batchSize ?? DefaultBatch;
        if (_invalidated || limit < 0)
        {
            exhausted = _invalidated;
            return batch;
        }
        var deadline = DateTime.UtcNow + (maxAwait ?? _defaultAwait);
        while (batch.Count < limit && !_invalidated)
        {
            var wait = batch.Count > 0 ? TimeSpan.Zero : deadline - DateTime.UtcNow;
            var events = _log.ReadAfter(_scanned.Position, ReadChunk, wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
            if (events.Count == 0) break;
            foreach (var e in events)
            {
                _scanned = e.Token;
                if (!_scope.Includes(e) || e.IsExpanded && !_showExpanded) continue;
                batch.AddRange(_filters.Run([_renderer.Render(e)]));
                if (_scope.IsInvalidatedBy(e))
                {
                    // MongoDB reports a collection's drop before invalidating, and dropDatabase before a database stream's invalidate.
                    batch.Add(ChangeEventRenderer.Invalidate(e));
                    _scanned = e.InvalidateToken;
                    _invalidated = true;
                    break;
                }
                if (batch.Count >= limit) break;
            }
        }
        exhausted = _invalidated;
        return batch;
    }

    public override void AddCursorFields(BsonDocument cursor) => cursor.Add("postBatchResumeToken", _scanned.ToDocument());
}
