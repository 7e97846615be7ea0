namespace Replication.Dynamo.Http;

/// <summary>Where and as whom the data-plane client talks to DynamoDB, and how hard it retries.</summary>
public sealed record DynamoHttpOptions
{
    public string Region { get; init; } = "us-east-1";

    /// <summary>An endpoint override (DynamoDB Local, a proxy); DynamoDB and Streams calls then both go to this URL.</summary>
    public Uri? ServiceUrl { get; init; }

    public DynamoCredentialSource Credentials { get; init; } = DynamoCredentialSource.DefaultChain;

    /// <summary>Total attempts per call, the first included; only retryable faults use more than one.</summary>
    public int MaxAttempts { get; init; } = 8;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Per attempt; an attempt that runs longer is a network fault (and retried).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Told of every fault that is about to be retried (for the node's error metrics and outage warnings).</summary>
    public Action<DynamoException>? RetriedFault { get; init; }
}
