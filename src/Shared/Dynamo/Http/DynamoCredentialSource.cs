using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace Replication.Dynamo.Http;

/// <summary>
/// Where credentials come from: the SDK's default chain (environment, profile, SSO, container/instance roles),
/// explicit keys, or a named profile. Resolution is deferred to the first call and refreshing credentials
/// (roles, SSO) are asked again on each signing, which the SDK answers from its cache until they near expiry.
/// </summary>
public sealed class DynamoCredentialSource
{
    private readonly Func<CancellationToken, Task<AWSCredentials>> _resolve;
    private readonly string _description;
    private Task<AWSCredentials>? _resolved;

    private DynamoCredentialSource(Func<CancellationToken, Task<AWSCredentials>> resolve, string description)
    {
        _resolve = resolve;
        _description = description;
    }

    public static DynamoCredentialSource DefaultChain { get; } =
        new(_ => DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(null), "the AWS SDK default credential chain");

    public static DynamoCredentialSource FromKeys(string accessKey, string secretKey, string? sessionToken = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKey);
        ArgumentException.ThrowIfNullOrEmpty(secretKey);
        AWSCredentials credentials = sessionToken is null
            ? new BasicAWSCredentials(accessKey, secretKey)
            : new SessionAWSCredentials(accessKey, secretKey, sessionToken);
        return new(_ => Task.FromResult(credentials), $"access key {accessKey}");
    }

    public static DynamoCredentialSource FromProfile(string profileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(profileName);
        return new(_ =>
        {
            if (!new CredentialProfileStoreChain().TryGetAWSCredentials(profileName, out var credentials))
                throw new InvalidOperationException($"AWS profile '{profileName}' was not found in the shared credentials or config file");
            return Task.FromResult(credentials);
        }, $"AWS profile '{profileName}'");
    }

    /// <summary>The SDK credentials object, for the SDK's own clients (control plane).</summary>
    public Task<AWSCredentials> GetAwsCredentialsAsync(CancellationToken cancellationToken = default)
    {
        var task = _resolved;
        if (task is null || task.IsFaulted || task.IsCanceled)
            _resolved = task = _resolve(cancellationToken);
        return task;
    }

    public async Task<ImmutableCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var credentials = await GetAwsCredentialsAsync(cancellationToken).ConfigureAwait(false);
            return await credentials.GetCredentialsAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"could not obtain AWS credentials from {_description}: {e.Message}", e);
        }
    }

    public override string ToString() => _description;
}
