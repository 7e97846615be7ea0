namespace Replication.Mongo;

/// <summary>
/// No server could be reached, it refused our credentials, or the conversation broke (socket error, timeout, server
/// selection failure). The message names the host(s). The operation may or may not have been applied; idempotent work
/// should simply be retried — except after an authentication failure, which repeats until the configuration changes.
/// </summary>
public sealed class MongoConnectionException(string message, MongoConnectionFailure failure, IReadOnlyList<string> errorLabels, Exception? innerException)
    : MongoException(message, 0, null, errorLabels, innerException)
{
    public MongoConnectionFailure Failure { get; } = failure;

    public override bool IsRetryable => Failure != MongoConnectionFailure.Authentication;
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
