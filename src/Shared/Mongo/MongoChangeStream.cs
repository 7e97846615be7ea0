using Driver = MongoDB.Driver;
using DriverBson = MongoDB.Bson;
using Raw = MongoDB.Bson.RawBsonDocument;

namespace Replication.Mongo;

/// <summary>
/// An open change stream (the driver resumes it by itself after a transient error). Enumerate it once at a time;
/// events reach the consumer as raw BSON. Checkpoint <see cref="ResumeToken"/> after applying what was enumerated; it
/// also advances through empty batches (the post-batch resume token), so a quiet stream's position stays fresh.
/// Dispose it before its client.
/// </summary>
public sealed class MongoChangeStream : IAsyncEnumerable<ChangeStreamEvent>, IAsyncDisposable
{
    private readonly MongoClient _client;
    private readonly Driver.IChangeStreamCursor<Raw> _cursor;
    private readonly string _operation;
    private readonly Queue<ChangeStreamEvent> _pending = new();
    private ReadOnlyMemory<byte> _resumeToken;
    private int _enumerating;

    private MongoChangeStream(MongoClient client, Driver.IChangeStreamCursor<Raw> cursor, string operation)
    {
        _client = client;
        _cursor = cursor;
        _operation = operation;
        _resumeToken = Token(cursor.GetResumeToken());
    }

    /// <summary>
    /// The position after the last event handed to the consumer (or the newer post-batch token of an empty batch):
    /// pass it as <see cref="ChangeStreamOptions.ResumeAfter"/> to continue from here. Empty before the server gave one.
    /// </summary>
    public ReadOnlyMemory<byte> ResumeToken => _resumeToken;

    public async IAsyncEnumerator<ChangeStreamEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerating, 1) != 0)
            throw new InvalidOperationException($"{_operation} is already being enumerated; a change stream has one reader.");
        try
        {
            while (true)
            {
                // Events of a batch stay queued if the consumer stops early, so the next enumeration continues exactly
                // where this one left off: the cursor has already moved past them.
                while (_pending.TryDequeue(out var change))
                {
                    if (!change.ResumeToken.IsEmpty) _resumeToken = change.ResumeToken;
                    yield return change;
                }
                var token = Token(_cursor.GetResumeToken());
                if (!token.IsEmpty) _resumeToken = token;
                if (!await _client.GuardAsync(_operation, () => _cursor.MoveNextAsync(cancellationToken)).ConfigureAwait(false)) yield break;
                foreach (var document in _cursor.Current) _pending.Enqueue(ChangeStreamEvent.FromDocument(RawDocuments.ToBytes(document)));
            }
        }
        finally
        {
            Volatile.Write(ref _enumerating, 0);
        }
    }

    /// <summary>Closes the server-side cursor (killCursors, a blocking call in the driver) on a pool thread, not the caller's.</summary>
    public async ValueTask DisposeAsync() => await Task.Run(_cursor.Dispose).ConfigureAwait(false);

    private static ReadOnlyMemory<byte> Token(DriverBson.BsonDocument? token) => token is null ? default : RawDocuments.ToBytes(token);

    internal static async Task<MongoChangeStream> OpenAsync(MongoClient client, string operation,
        Func<IReadOnlyList<DriverBson.BsonDocument>, Driver.ChangeStreamOptions, Task<Driver.IChangeStreamCursor<Raw>>> open,
        ChangeStreamOptions? options)
    {
        var stages = (options?.Pipeline ?? []).Select(stage => stage is DriverBson.BsonDocument document
            ? document
            : throw new ArgumentException($"{operation}: every pipeline stage must be a document", nameof(options))).ToList();
        var cursor = await client.GuardAsync(operation, () => open(stages, ToDriver(options))).ConfigureAwait(false);
        return new MongoChangeStream(client, cursor, operation);
    }

    /// <summary>The stages after <c>$changeStream</c>, producing each event as raw BSON.</summary>
    internal static Driver.PipelineDefinition<TInput, Raw> Pipeline<TInput>(IReadOnlyList<DriverBson.BsonDocument> stages) =>
        new Driver.BsonDocumentStagePipelineDefinition<TInput, Raw>(stages, DriverBson.Serialization.Serializers.RawBsonDocumentSerializer.Instance);

    private static Driver.ChangeStreamOptions ToDriver(ChangeStreamOptions? options)
    {
        var driver = new Driver.ChangeStreamOptions();
        if (options is null) return driver;
        driver.ResumeAfter = options.ResumeAfter;
        driver.StartAfter = options.StartAfter;
        driver.StartAtOperationTime = options.StartAtOperationTime;
        if (options.FullDocument is { } full) driver.FullDocument = full switch
        {
            "default" => Driver.ChangeStreamFullDocumentOption.Default,
            "updateLookup" => Driver.ChangeStreamFullDocumentOption.UpdateLookup,
            "whenAvailable" => Driver.ChangeStreamFullDocumentOption.WhenAvailable,
            "required" => Driver.ChangeStreamFullDocumentOption.Required,
            _ => throw new ArgumentException($"fullDocument '{full}' is not one of default, updateLookup, whenAvailable, required", nameof(options)),
        };
        if (options.FullDocumentBeforeChange is { } before) driver.FullDocumentBeforeChange = before switch
        {
            "off" => Driver.ChangeStreamFullDocumentBeforeChangeOption.Off,
            "whenAvailable" => Driver.ChangeStreamFullDocumentBeforeChangeOption.WhenAvailable,
            "required" => Driver.ChangeStreamFullDocumentBeforeChangeOption.Required,
            _ => throw new ArgumentException($"fullDocumentBeforeChange '{before}' is not one of off, whenAvailable, required", nameof(options)),
        };
        driver.BatchSize = options.BatchSize;
        if (options.MaxAwaitTimeMS is { } wait) driver.MaxAwaitTime = TimeSpan.FromMilliseconds(wait);
        return driver;
    }
}
