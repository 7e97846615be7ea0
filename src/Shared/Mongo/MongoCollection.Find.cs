using System.Runtime.CompilerServices;
using MongoDB.Bson;
using Driver = MongoDB.Driver;
using Raw = MongoDB.Bson.RawBsonDocument;

namespace Replication.Mongo;

public sealed partial class MongoCollection
{
    /// <summary>
    /// Streams the matching documents as raw BSON (each a copy that outlives the driver's reply buffer). The cursor
    /// is held until the enumeration ends or is disposed.
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> FindAsync(ReadOnlyMemory<byte> filter, FindOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var operation = $"find on '{Namespace}'";
        var driverOptions = ToDriver(options);
        var query = Filter(filter);
        var cursor = await Client.GuardAsync(operation, () => Native.FindAsync(query, driverOptions, cancellationToken)).ConfigureAwait(false);
        var exhausted = false;
        try
        {
            while (await Client.GuardAsync(operation, () => cursor.MoveNextAsync(cancellationToken)).ConfigureAwait(false))
                foreach (var document in cursor.Current) yield return RawDocuments.ToBytes(document);
            exhausted = true;
        }
        finally
        {
            // A cursor left open on the server is closed with killCursors, which the driver does synchronously: off the caller's thread.
            if (exhausted) cursor.Dispose();
            else await Task.Run(cursor.Dispose).ConfigureAwait(false);
        }
    }

    public IAsyncEnumerable<ReadOnlyMemory<byte>> FindAsync(BsonDocument filter, FindOptions? options = null, CancellationToken cancellationToken = default) =>
        FindAsync(filter.ToBson(), options, cancellationToken);

    /// <summary>Reads every matching document into memory; for small results.</summary>
    public async Task<List<BsonDocument>> FindToListAsync(BsonDocument filter, FindOptions? options = null, CancellationToken cancellationToken = default)
    {
        var documents = new List<BsonDocument>();
        await foreach (var document in FindAsync(filter.ToBson(), options, cancellationToken).ConfigureAwait(false))
            documents.Add(RawDocuments.Parse(document.Span));
        return documents;
    }

    /// <summary>How many documents match (the <c>countDocuments</c> aggregation).</summary>
    public Task<long> CountDocumentsAsync(BsonDocument filter, CancellationToken cancellationToken = default) =>
        Client.GuardAsync($"counting documents in '{Namespace}'", () => Native.CountDocumentsAsync(Filter(filter), cancellationToken: cancellationToken));

    private static Driver.FindOptions<Raw> ToDriver(FindOptions? options)
    {
        var driver = new Driver.FindOptions<Raw>();
        if (options is null) return driver;
        if (options.Sort is { } sort) driver.Sort = new Driver.BsonDocumentSortDefinition<Raw>(sort);
        if (options.Projection is { } projection) driver.Projection = new Driver.BsonDocumentProjectionDefinition<Raw, Raw>(projection);
        driver.Limit = options.Limit;
        driver.Skip = options.Skip;
        driver.BatchSize = options.BatchSize;
        if (options.Hint is { } hint) driver.Hint = hint;
        return driver;
    }
}
