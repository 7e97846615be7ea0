using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using MongoDB.Bson;
using Replication.Dynamo.Conversion;
using MongoDB.Driver;
using Replication.MongoAccess;

namespace Replication.Testing.Comparison;

/// <summary>
/// Compares a target collection with its DynamoDB source table, reading the source independently of the code under
/// test: the AWS SDK's own consistent Scan, converted by <see cref="ReferenceItemConverter"/> (the README's mapping
/// written out again). The collection is read through MongoDB.Driver, here and nowhere else in the tests'
/// comparisons.
/// </summary>
public sealed class ReplicaComparison
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly IAmazonDynamoDB _source;
    private readonly IMongoDatabase _target;
    private readonly IdentityMode _identity;

    public ReplicaComparison(IAmazonDynamoDB source, IMongoDatabase target, ConvertMode mode, IdentityMode identity)
    {
        if (mode != ConvertMode.Typed)
            throw new NotSupportedException($"the reference converter implements convert.mode = typed only, not {mode}");
        _source = source;
        _target = target;
        _identity = identity;
    }

    public async Task<ReferenceItemConverter> ConverterForAsync(string table, CancellationToken cancellationToken = default)
    {
        var schema = (await _source.DescribeTableAsync(new DescribeTableRequest { TableName = table }, cancellationToken).ConfigureAwait(false)).Table.KeySchema;
        return new ReferenceItemConverter(_identity, schema.Single(k => k.KeyType == KeyType.HASH).AttributeName,
                                          schema.SingleOrDefault(k => k.KeyType == KeyType.RANGE)?.AttributeName);
    }

    /// <summary>The source table's items as the README says they become documents, keyed by <see cref="KeyText"/>.</summary>
    public async Task<Dictionary<string, BsonDocument>> ReadSourceAsync(string table, CancellationToken cancellationToken = default)
    {
        var converter = await ConverterForAsync(table, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, BsonDocument>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await _source.ScanAsync(new ScanRequest { TableName = table, ConsistentRead = true, ExclusiveStartKey = start }, cancellationToken)
                                    .ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                var document = converter.Convert(item);
                result[KeyText(document, converter)] = document;
            }
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
        return result;
    }

    /// <summary>
    /// The collection's documents keyed like the source's. Under <c>convert.key = fields</c> MongoDB chose each
    /// <c>_id</c>, so it is dropped before comparing (after checking it is there).
    /// </summary>
    public async Task<Dictionary<string, BsonDocument>> ReadTargetAsync(string collection, ReferenceItemConverter converter, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<string, BsonDocument>();
        using var cursor = await MongoCollections.Raw(_target, collection).FindAsync(FilterDefinition<RawBsonDocument>.Empty, cancellationToken: cancellationToken)
                                                  .ConfigureAwait(false);
        while (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var raw in cursor.Current)
            {
                var document = BsonBytes.ToDocument(RawDocuments.ToBytes(raw));
                if (_identity == IdentityMode.Fields)
                {
                    if (!document.Contains("_id"))
                        throw new InvalidOperationException($"a document of {collection} has no _id: {BsonBytes.ToRelaxedJson(document)}");
                    document.Remove("_id");
                }
                result[KeyText(document, converter)] = document;
            }
        }
        return result;
    }

    public async Task<ReplicaDifference> CompareAsync(string table, string collection, CancellationToken cancellationToken = default)
    {
        var converter = await ConverterForAsync(table, cancellationToken).ConfigureAwait(false);
        var source = await ReadSourceAsync(table, cancellationToken).ConfigureAwait(false);
        var replica = await ReadTargetAsync(collection, converter, cancellationToken).ConfigureAwait(false);
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

    /// <summary>What names an item in a difference: its <c>_id</c>, or its key fields when MongoDB chose the <c>_id</c>.</summary>
    private string KeyText(BsonDocument document, ReferenceItemConverter converter) =>
        _identity == IdentityMode.Id ? ReplicaDifference.IdOf(document) : ReplicaDifference.KeyFieldsOf(document, converter.KeyNames);
}
