using System.Net;

namespace Replication.Dynamo.Http;

/// <summary>
/// A failed DynamoDB or Streams call. <see cref="IsRetryable"/> is true only where repeating the same call can
/// succeed (throttling, server faults, network faults); the retry pipeline consults nothing else.
/// </summary>
public class DynamoException(string operation, string? errorType, HttpStatusCode? statusCode, string message, bool isRetryable, Exception? inner = null)
    : Exception($"DynamoDB {operation} failed: {(errorType is null ? "" : errorType + ": ")}{message}{(statusCode is null ? "" : $" (HTTP {(int)statusCode})")}", inner)
{
    public string Operation { get; } = operation;

    /// <summary>The service's error code, the part of <c>__type</c> after '#'; null for network faults.</summary>
    public string? ErrorType { get; } = errorType;

    public HttpStatusCode? StatusCode { get; } = statusCode;
    public string ServiceMessage { get; } = message;
    public bool IsRetryable { get; } = isRetryable;
}

/// <summary>ProvisionedThroughputExceeded, Throttling, LimitExceeded, RequestLimitExceeded: back off and repeat.</summary>
public sealed class DynamoThrottlingException(string operation, string errorType, HttpStatusCode statusCode, string message)
    : DynamoException(operation, errorType, statusCode, message, isRetryable: true);

/// <summary>A 5xx, InternalServerError or ServiceUnavailable.</summary>
public sealed class DynamoServerException(string operation, string? errorType, HttpStatusCode statusCode, string message)
    : DynamoException(operation, errorType, statusCode, message, isRetryable: true);

/// <summary>The connection failed, was reset, or an attempt outlived its timeout.</summary>
public sealed class DynamoNetworkException(string operation, string message, Exception inner)
    : DynamoException(operation, null, null, message, isRetryable: true, inner);

/// <summary>A shard iterator older than 15 minutes; get a new one from the last checkpointed sequence number.</summary>
public sealed class DynamoExpiredIteratorException(string operation, HttpStatusCode statusCode, string message)
    : DynamoException(operation, "ExpiredIteratorException", statusCode, message, isRetryable: false);

/// <summary>The requested stream records were trimmed (older than 24 h): a gap in the change history.</summary>
public sealed class DynamoTrimmedDataAccessException(string operation, HttpStatusCode statusCode, string message)
    : DynamoException(operation, "TrimmedDataAccessException", statusCode, message, isRetryable: false);

public sealed class DynamoResourceNotFoundException(string operation, HttpStatusCode statusCode, string message)
    : DynamoException(operation, "ResourceNotFoundException", statusCode, message, isRetryable: false);

/// <summary>The request itself is wrong (ValidationException, SerializationException); repeating it cannot help.</summary>
public sealed class DynamoValidationException(string operation, string errorType, HttpStatusCode statusCode, string message)
    : DynamoException(operation, errorType, statusCode, message, isRetryable: false);
