namespace Replication.Mongo;

/// <summary>
/// A failure reported by MongoDB.Driver or by the server, as callers act on it. <see cref="Code"/> is the server's
/// error code when the server answered, otherwise 0.
/// </summary>
public class MongoException : Exception
{
    // The retryable-writes specification's list of server codes worth a retry.
    private static readonly HashSet<int> RetryableCodes = [6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436];

    public MongoException(string message, int code, string? codeName, IReadOnlyList<string> errorLabels, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        CodeName = codeName;
        ErrorLabels = errorLabels;
    }

    public int Code { get; }

    public string? CodeName { get; }

    public IReadOnlyList<string> ErrorLabels { get; }

    public bool HasErrorLabel(string label) => ErrorLabels.Contains(label);

    /// <summary>True when repeating the same operation may succeed: network trouble, an election, a labelled error.</summary>
    public virtual bool IsRetryable =>
        HasErrorLabel("RetryableWriteError") || HasErrorLabel("TransientTransactionError") || HasErrorLabel("ResumableChangeStreamError")
        || RetryableCodes.Contains(Code);

    public virtual bool IsDuplicateKey => IsDuplicateKeyCode(Code);

    internal static bool IsDuplicateKeyCode(int code) => code is 11000 or 11001 or 12582;
}
