namespace Replication.Dynamo;

/// <summary>
/// One Scan page, already converted to BSON in a single pooled buffer. Dispose it once the documents are written;
/// the memory of <see cref="Documents"/> is not valid afterwards.
/// </summary>
public sealed class ScanPage : IDisposable
{
    private readonly BsonDocumentSequence _documents;

    internal ScanPage(BsonDocumentSequence documents, IReadOnlyList<ItemConversionFailure> failures, int count, int scannedCount, string? lastEvaluatedKeyJson, int responseBytes)
    {
        _documents = documents;
        Failures = failures;
        Count = count;
        ScannedCount = scannedCount;
        LastEvaluatedKeyJson = lastEvaluatedKeyJson;
        ResponseBytes = responseBytes;
    }

    public BsonDocumentList Documents => new(_documents);

    /// <summary>Items of this page that could not be converted; they are not in <see cref="Documents"/>.</summary>
    public IReadOnlyList<ItemConversionFailure> Failures { get; }

    /// <summary>Items the service returned: <see cref="Documents"/> plus <see cref="Failures"/>.</summary>
    public int Count { get; }
    public int ScannedCount { get; }

    /// <summary>The raw JSON of LastEvaluatedKey; null when this was the segment's last page.</summary>
    public string? LastEvaluatedKeyJson { get; }

    public bool IsLastPage => LastEvaluatedKeyJson is null;

    /// <summary>Size of the service's JSON response.</summary>
    public int ResponseBytes { get; }

    /// <summary>Size of the converted BSON.</summary>
    public int BsonBytes => _documents.ByteLength;

    public void Dispose() => _documents.Dispose();
}
