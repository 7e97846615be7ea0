namespace Replication.Mongo;

/// <summary>
/// Some writes of a bulk failed. <see cref="Result"/> counts what was applied; with an unordered bulk every item
/// without a write error was applied.
/// </summary>
public sealed class MongoBulkWriteException(
    string message,
    int code,
    IReadOnlyList<string> errorLabels,
    BulkWriteResult result,
    IReadOnlyList<BulkWriteError> writeErrors,
    IReadOnlyList<WriteConcernError> writeConcernErrors)
    : MongoException(message, code, null, errorLabels)
{
    public BulkWriteResult Result { get; } = result;

    public IReadOnlyList<BulkWriteError> WriteErrors { get; } = writeErrors;

    public IReadOnlyList<WriteConcernError> WriteConcernErrors { get; } = writeConcernErrors;

    /// <summary>Every write error is a duplicate key (and the write concern was met).</summary>
    public override bool IsDuplicateKey =>
        WriteErrors.Count > 0 && WriteConcernErrors.Count == 0 && WriteErrors.All(e => e.IsDuplicateKey);

    public override bool IsRetryable => base.IsRetryable && WriteErrors.Count == 0;
}

/// <summary>One failed item of a bulk: <see cref="Index"/> is its position in the request list.</summary>
public sealed record BulkWriteError(int Index, int Code, string Message)
{
    public bool IsDuplicateKey => MongoException.IsDuplicateKeyCode(Code);
}

public sealed record WriteConcernError(int Code, string? CodeName, string Message);
