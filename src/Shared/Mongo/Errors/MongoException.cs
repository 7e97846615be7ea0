namespace Replication.Mongo;

/// <summary>
/// A failure reported by libmongoc or by the server. <see cref="Code"/> is the server's error code when the server
/// answered, otherwise libmongoc's code within <see cref="ErrorDomain"/> (a <c>mongoc_error_domain_t</c>).
/// </summary>
public class MongoException : Exception
{
    // The retryable-writes specification's list of server codes worth a retry.
    private static readonly HashSet<int> RetryableCodes = [6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436];

    public MongoException(string message, int errorDomain, int code, string? codeName, IReadOnlyList<string> errorLabels)
        : base(message)
    {
        ErrorDomain = errorDomain;
        Code = code;
        CodeName = codeName;
        ErrorLabels = errorLabels;
    }

    public int ErrorDomain { get; }

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
