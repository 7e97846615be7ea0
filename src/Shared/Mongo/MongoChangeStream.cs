using System.Threading.Channels;
using Replication.Mongo.Native;

namespace Replication.Mongo;

/// <summary>
/// An open change stream (libmongoc resumes it by itself after a transient error). Enumerate it once: each event
/// reaches the consumer as soon as a worker thread has read it, without waiting for the rest of a server batch.
/// Checkpoint <see cref="ResumeToken"/> after applying what was enumerated; it also advances through empty batches
/// (the post-batch resume token), so a quiet stream's position stays fresh. Dispose it before its client.
/// </summary>
public sealed class MongoChangeStream : IAsyncEnumerable<ChangeStreamEvent>, IAsyncDisposable
{
    private readonly ClientPool.ClientLease _lease;
    private readonly ChangeStreamHandle _stream;
    private readonly int _maxEventsPerTrip;
    private readonly string _operation;
    private ReadOnlyMemory<byte> _resumeToken;
    private Task? _trip;
    private ChannelReader<Item>? _pending;
    private int _enumerating;

    internal MongoChangeStream(ClientPool.ClientLease lease, ChangeStreamHandle stream, int maxEventsPerTrip, string operation, ReadOnlyMemory<byte> initialToken)
    {
        _lease = lease;
        _stream = stream;
        _maxEventsPerTrip = Math.Max(1, maxEventsPerTrip);
        _operation = operation;
        _resumeToken = initialToken;
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
                if (_pending is null)
                {
                    var channel = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
                    _trip = _lease.RunAsync(_ => ReadTrip(channel.Writer), CancellationToken.None);
                    _pending = channel.Reader;
                }
                // A trip's events stay in _pending if the consumer stops early, so the next enumeration continues
                // exactly where this one left off: libmongoc has already moved past them.
                await foreach (var item in _pending.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (item.Event is { } change)
                    {
                        if (!change.ResumeToken.IsEmpty) _resumeToken = change.ResumeToken;
                        yield return change;
                    }
                    else if (!item.Token.IsEmpty)
                    {
                        _resumeToken = item.Token;
                    }
                }
                _pending = null;
                await _trip!.ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _enumerating, 0);
        }
    }

    /// <summary>Reads events until the current batch and one awaited getMore are used up, or the trip is full.</summary>
    private unsafe bool ReadTrip(ChannelWriter<Item> writer)
    {
        try
        {
            for (var count = 0; count < _maxEventsPerTrip; count++)
            {
                if (!LibMongoc.mongoc_change_stream_next(_stream.Pointer, out var document))
                {
                    BsonError error;
                    if (LibMongoc.mongoc_change_stream_error_document(_stream.Pointer, &error, out var reply))
                        throw MongoErrorTranslator.Translate(error, reply == IntPtr.Zero ? default : LibBson.View(reply), _operation);
                    var token = LibMongoc.mongoc_change_stream_get_resume_token(_stream.Pointer);
                    if (token != IntPtr.Zero) writer.TryWrite(new Item(null, LibBson.Copy(token)));
                    break;
                }
                writer.TryWrite(new Item(ChangeStreamEvent.FromDocument(LibBson.Copy(document)), default));
            }
            return true;
        }
        finally
        {
            writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_trip is { } trip)
        {
            try { await trip.ConfigureAwait(false); }
            catch (MongoException) { /* already surfaced to the enumerator, or irrelevant once closing */ }
        }
        await _lease.DisposeAsync(_stream.Dispose).ConfigureAwait(false);
    }

    private readonly record struct Item(ChangeStreamEvent? Event, ReadOnlyMemory<byte> Token);

    internal static async Task<MongoChangeStream> OpenAsync(
        ClientPool pool, Func<PooledClientHandle, ChangeStreamHandle> open, ChangeStreamOptions? options, string operation,
        CancellationToken cancellationToken)
    {
        var lease = await pool.LeaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (stream, token) = await lease.RunAsync(client => OpenChecked(client, open, operation), cancellationToken).ConfigureAwait(false);
            return new MongoChangeStream(lease, stream, options?.MaxEventsPerTrip ?? 1000, operation, token);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // libmongoc runs the aggregate when the stream is created and parks any failure on the stream.
    private static unsafe (ChangeStreamHandle, byte[]) OpenChecked(PooledClientHandle client, Func<PooledClientHandle, ChangeStreamHandle> open, string operation)
    {
        var stream = open(client);
        BsonError error;
        if (LibMongoc.mongoc_change_stream_error_document(stream.Pointer, &error, out var reply))
        {
            var exception = MongoErrorTranslator.Translate(error, reply == IntPtr.Zero ? default : LibBson.View(reply), operation);
            stream.Dispose();
            throw exception;
        }
        var token = LibMongoc.mongoc_change_stream_get_resume_token(stream.Pointer);
        return (stream, token == IntPtr.Zero ? [] : LibBson.Copy(token));
    }

    internal static byte[] BuildOptions(ChangeStreamOptions? options)
    {
        var document = new Bson.BsonDocument();
        if (options is null) return document.ToBytes();
        if (options.ResumeAfter is { } resumeAfter) document.Add("resumeAfter", resumeAfter);
        if (options.StartAfter is { } startAfter) document.Add("startAfter", startAfter);
        if (options.StartAtOperationTime is { } startAt) document.Add("startAtOperationTime", startAt);
        if (options.FullDocument is { } fullDocument) document.Add("fullDocument", fullDocument);
        if (options.FullDocumentBeforeChange is { } before) document.Add("fullDocumentBeforeChange", before);
        if (options.BatchSize is { } batchSize) document.Add("batchSize", batchSize);
        if (options.MaxAwaitTimeMS is { } maxAwait) document.Add("maxAwaitTimeMS", maxAwait);
        return document.ToBytes();
    }

    internal static byte[] BuildPipeline(ChangeStreamOptions? options) =>
        new Bson.BsonDocument { { "pipeline", options?.Pipeline ?? [] } }.ToBytes();
}
