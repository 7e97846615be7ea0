using MongoDB.Bson;
using MongoDB.Driver;
using Replication.MongoAccess;

namespace Replication.ShardActors.Apply;

/// <summary>
/// Decides what a per-item write error means: worth retrying (the server was busy, failing over, or two upserts
/// raced), or a property of the item itself that no retry will change — that item goes to the dead letters.
/// </summary>
public static class WriteErrorClassifier
{
    // Server states that pass: failover, shutdown, time limits, network trouble reported per item.
    private static readonly HashSet<int> TransientCodes =
    [
        6, 7, 50, 64, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 112, 117,
    ];

    private static readonly string[] RetryableLabels = ["RetryableWriteError", "TransientTransactionError", "ResumableChangeStreamError"];

    public static bool IsTransient(BulkWriteError error) => TransientCodes.Contains(error.Code);

    public static bool IsDuplicateKey(BulkWriteError error) => error.Code is 11000 or 11001 or 12582;

    /// <summary>
    /// True for a whole-request failure that a retry of the same (idempotent) request can cure. Refused credentials
    /// are not: they stay refused until the configuration changes, so they surface at once instead of after every attempt.
    /// </summary>
    public static bool IsTransient(Exception error) => error switch
    {
        MongoUnavailableException unavailable => unavailable.IsRetryable,
        MongoAuthenticationException => false,
        // A write-concern error leaves the batch not durable whatever else went wrong: send all of it again.
        MongoBulkWriteException<RawBsonDocument> bulk => bulk.WriteConcernError is not null || (bulk.WriteErrors.Count == 0 && HasRetryableLabel(bulk)),
        MongoConnectionException or MongoConnectionPoolPausedException => true,
        MongoCommandException command => HasRetryableLabel(command) || TransientCodes.Contains(command.Code),
        MongoExecutionTimeoutException => true,
        MongoException mongo => HasRetryableLabel(mongo),
        TimeoutException => true,
        _ => false,
    };

    private static bool HasRetryableLabel(MongoException error) => RetryableLabels.Any(error.HasErrorLabel);
}
