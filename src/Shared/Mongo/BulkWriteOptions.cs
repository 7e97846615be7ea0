namespace Replication.Mongo;

public sealed record BulkWriteOptions
{
    /// <summary>Ordered stops at the first error; unordered (the default here) applies every item it can.</summary>
    public bool IsOrdered { get; init; }

    public bool BypassDocumentValidation { get; init; }
}
