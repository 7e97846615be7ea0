namespace Replication.MongoAccess;

/// <summary>
/// No server could be reached, it refused our credentials, or the conversation broke (socket error, timeout, server
/// selection failure), said in one line that names the host(s) and never the connection string. The operation may or
/// may not have been applied; idempotent work should be retried — except after an authentication failure, which
/// repeats until the configuration changes. Made by <see cref="MongoFailureTranslator"/> from the driver's exception.
/// </summary>
public sealed class MongoUnavailableException(string message, MongoConnectionFailure failure, Exception innerException)
    : Exception(message, innerException)
{
    public MongoConnectionFailure Failure { get; } = failure;

    public bool IsRetryable => Failure != MongoConnectionFailure.Authentication;
}

/// <summary>Why a deployment could not be used; the operator-facing message says it in words.</summary>
public enum MongoConnectionFailure
{
    /// <summary>No suitable server answered within the server selection timeout (refused, unreachable, unknown host…).</summary>
    Unreachable,
    /// <summary>A server answered but rejected the credentials.</summary>
    Authentication,
    /// <summary>An established connection broke or timed out during an operation.</summary>
    ConnectionBroken,
}
