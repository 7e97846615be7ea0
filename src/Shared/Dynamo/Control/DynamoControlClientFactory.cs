using Amazon;
using Amazon.DynamoDBv2;
using Replication.Dynamo.Http;

namespace Replication.Dynamo.Control;

/// <summary>The SDK client for the control plane, configured from the same options as the data-plane client.</summary>
public static class DynamoControlClientFactory
{
    public static async Task<IAmazonDynamoDB> CreateAsync(DynamoHttpOptions options, CancellationToken cancellationToken = default)
    {
        var credentials = await options.Credentials.GetAwsCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var config = new AmazonDynamoDBConfig { MaxErrorRetry = Math.Max(0, options.MaxAttempts - 1), Timeout = options.RequestTimeout };
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url.ToString();
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        return new AmazonDynamoDBClient(credentials, config);
    }
}
