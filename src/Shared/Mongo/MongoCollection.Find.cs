using System.Runtime.CompilerServices;
using Replication.Bson;
using Replication.Mongo.Native;

namespace Replication.Mongo;

public sealed partial class MongoCollection
{
    private const int DefaultDocumentsPerTrip = 1000;

    /// <summary>
    /// Streams the matching documents as raw BSON. Each worker-thread trip copies up to a batch of documents into
    /// one managed buffer (slices of it are yielded); getMores happen on the worker threads. The cursor and its
    /// pooled client are held until the enumeration ends or is disposed.
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> FindAsync(ReadOnlyMemory<byte> filter, FindOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var opts = BuildFindOptions(options);
        var perTrip = options?.BatchSize is > 0 and var size ? size : DefaultDocumentsPerTrip;
        var operation = $"find on '{Namespace}'";
        var lease = await Pool.LeaseAsync(cancellationToken).ConfigureAwait(false);
        CursorHandle? cursor = null;
        try
        {
            cursor = await lease.RunAsync(client =>
            {
                var collection = CollectionHandle.Open(client, Database.Name, Name);
                using var f = OwnedBsonHandle.Copy(filter.Span);
                using var o = OwnedBsonHandle.Copy(opts);
                var handle = new CursorHandle(LibMongoc.mongoc_collection_find_with_opts(collection.Pointer, f.Pointer, o.Pointer, IntPtr.Zero), collection);
                collection.Dispose(); // released for real once the cursor lets go of it
                return handle;
            }, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var batch = await lease.RunAsync(_ => CursorBatch.Read(cursor, perTrip, operation), cancellationToken).ConfigureAwait(false);
                foreach (var document in batch.Documents) yield return document;
                if (batch.Exhausted) yield break;
            }
        }
        finally
        {
            var opened = cursor;
            await lease.DisposeAsync(() => opened?.Dispose()).ConfigureAwait(false);
        }
    }

    public IAsyncEnumerable<ReadOnlyMemory<byte>> FindAsync(BsonDocument filter, FindOptions? options = null, CancellationToken cancellationToken = default) =>
        FindAsync(filter.ToBytes(), options, cancellationToken);

    /// <summary>Reads every matching document into memory; for small results.</summary>
    public async Task<List<BsonDocument>> FindToListAsync(BsonDocument filter, FindOptions? options = null, CancellationToken cancellationToken = default)
    {
        var documents = new List<BsonDocument>();
        await foreach (var document in FindAsync(filter.ToBytes(), options, cancellationToken).ConfigureAwait(false))
            documents.Add(BsonDocument.Parse(document.Span));
        return documents;
    }

    private static byte[] BuildFindOptions(FindOptions? options)
    {
        var document = new BsonDocument();
        if (options is null) return document.ToBytes();
        if (options.Sort is { } sort) document.Add("sort", sort);
        if (options.Projection is { } projection) document.Add("projection", projection);
        if (options.Limit is { } limit) document.Add("limit", limit);
        if (options.Skip is { } skip) document.Add("skip", skip);
        if (options.BatchSize is { } batchSize) document.Add("batchSize", batchSize);
        if (options.Hint is { } hint) document.Add("hint", hint);
        if (options.Extra is { } extra)
            foreach (var (name, value) in extra) document[name] = value;
        return document.ToBytes();
    }
}
