namespace Replication.Mongo;

/// <summary>
/// No server could be reached or the conversation broke (socket error, timeout, server selection failure). The
/// operation may or may not have been applied; idempotent work should simply be retried.
/// </summary>
public sealed class MongoConnectionException(string message, int errorDomain, int code, IReadOnlyList<string> errorLabels)
    : MongoException(message, errorDomain, code, null, errorLabels)
{
    public override bool IsRetryable => true;
}
