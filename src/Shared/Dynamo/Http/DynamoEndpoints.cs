namespace Replication.Dynamo.Http;

/// <summary>The two services the data plane calls. Streams has its own host but signs as <c>dynamodb</c>, as the SDK does.</summary>
public sealed record DynamoEndpoints(Uri DynamoDb, Uri Streams, string SigningRegion)
{
    public const string SigningService = "dynamodb";

    public static DynamoEndpoints For(DynamoHttpOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.Region);
        if (options.ServiceUrl is { } url) return new(url, url, options.Region);
        var suffix = options.Region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new(new Uri($"https://dynamodb.{options.Region}.{suffix}/"),
                   new Uri($"https://streams.dynamodb.{options.Region}.{suffix}/"),
                   options.Region);
    }
}
