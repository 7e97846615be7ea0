namespace Replication.Dynamo;

/// <summary>
/// One stream record. <see cref="KeyFilter"/> and <see cref="NewImage"/> are BSON inside the owning
/// <see cref="StreamRecordsPage"/>'s buffer and valid until it is disposed. When the keys or the image could not be
/// converted, <see cref="ConversionFailure"/> says why and holds the JSON; the part that failed is then empty.
/// </summary>
public readonly record struct StreamRecord(
    StreamEventName EventName,
    SequenceNumber SequenceNumber,
    DateTimeOffset? ApproximateCreationDateTime,
    long SizeBytes,
    ReadOnlyMemory<byte> KeyFilter,
    ReadOnlyMemory<byte> NewImage)
{
    public ItemConversionFailure? ConversionFailure { get; init; }

    public bool HasNewImage => !NewImage.IsEmpty;
}

/// <summary>A GetRecords result. <see cref="NextShardIterator"/> is null once the shard is closed and fully read.</summary>
public sealed class StreamRecordsPage : IDisposable
{
    private readonly BsonDocumentSequence _documents;

    /// <summary>A page whose records own their memory (e.g. from a source other than the DynamoDB Streams API).</summary>
    public StreamRecordsPage(IReadOnlyList<StreamRecord> records, string? nextShardIterator)
        : this(new BsonDocumentSequence(16), records, nextShardIterator, 0)
    {
    }

    internal StreamRecordsPage(BsonDocumentSequence documents, IReadOnlyList<StreamRecord> records, string? nextShardIterator, int responseBytes)
    {
        _documents = documents;
        Records = records;
        NextShardIterator = nextShardIterator;
        ResponseBytes = responseBytes;
    }

    public IReadOnlyList<StreamRecord> Records { get; }
    public string? NextShardIterator { get; }
    public bool ShardClosed => NextShardIterator is null;
    public int ResponseBytes { get; }

    public void Dispose() => _documents.Dispose();
}
