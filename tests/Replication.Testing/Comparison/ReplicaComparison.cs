using Replication.Bson;
using Replication.Dynamo;
using Replication.Dynamo.Control;
using Replication.Dynamo.Conversion;
using Replication.Mongo;

namespace Replication.Testing.Comparison;

/// <summary>
/// Compares a target collection with its DynamoDB source table: the table is read with a consistent Scan and converted
/// exactly as the replication converts it (same mode, same identity), the collection through libmongoc.
/// </summary>
public sealed class ReplicaComparison(DynamoScanClient scan, DynamoTableCatalog catalog, MongoDatabase target, ConvertMode mode, IdentityMode identity)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The source table's items as the replication would write them, keyed by <see cref="ReplicaDifference.IdOf"/>.</summary>
    public async Task<Dictionary<string, BsonDocument>> ReadSourceAsync(string table, CancellationToken cancellationToken = default)
    {
        var info = await catalog.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false);
        var converter = new DynamoItemConverter(mode, identity, info.KeySchema);
        var result = new Dictionary<string, BsonDocument>();
        string? start = null;
        do
        {
            using var page = await scan.ScanAsync(new ScanSegmentRequest(table) { ExclusiveStartKeyJson = start, ConsistentRead = true }, converter, cancellationToken)
                                       .ConfigureAwait(false);
            if (page.Failures.Count > 0)
                throw new InvalidOperationException($"table {table}: {page.Failures.Count} items could not be converted for the comparison (first: {page.Failures[0].Error.Message})");
            foreach (var document in page.Documents)
            {
                var parsed = BsonDocument.Parse(document.Span);
                result[ReplicaDifference.IdOf(parsed)] = parsed;
            }
            start = page.LastEvaluatedKeyJson;
        } while (start is not null);
        return result;
    }

    public async Task<Dictionary<string, BsonDocument>> ReadTargetAsync(string collection, CancellationToken cancellationToken = default) =>
        (await target.GetCollection(collection).FindToListAsync(new BsonDocument(), cancellationToken: cancellationToken).ConfigureAwait(false))
        .ToDictionary(ReplicaDifference.IdOf);

    public async Task<ReplicaDifference> CompareAsync(string table, string collection, CancellationToken cancellationToken = default)
    {
        var source = await ReadSourceAsync(table, cancellationToken).ConfigureAwait(false);
        var replica = await ReadTargetAsync(collection, cancellationToken).ConfigureAwait(false);
        return ReplicaDifference.Between(source, replica);
    }

    /// <summary>
    /// Polls until the collection holds exactly the table's items or <paramref name="timeout"/> passes; returns the last
    /// comparison either way, so a caller can report what still differs.
    /// </summary>
    public async Task<ReplicaDifference> WaitUntilEqualAsync(string table, string collection, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var difference = await CompareAsync(table, collection, cancellationToken).ConfigureAwait(false);
            if (difference.IsMatch || DateTimeOffset.UtcNow > deadline) return difference;
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
