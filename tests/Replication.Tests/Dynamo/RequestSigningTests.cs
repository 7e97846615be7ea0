using System.Globalization;
using System.Net;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Replication.Dynamo.Http;

namespace Replication.Tests.Dynamo;

/// <summary>
/// DynamoDB Local accepts any signature, so SigV4 is proven here instead: the SDK's own client signs a Scan, and our
/// transport, given the same body, credentials, region and instant, must put exactly the same Authorization on the wire.
/// </summary>
public class RequestSigningTests
{
    private sealed record Captured(byte[] Body, string Authorization, string AmzDate, string? ContentSha256, string? SecurityToken, Uri Uri);

    private sealed class CapturingFactory(CannedHttpHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);
    }

    private static async Task<Captured> SignWithSdk(AWSCredentials credentials, Action<AmazonDynamoDBConfig> endpoint)
    {
        var handler = new CannedHttpHandler().Reply(HttpStatusCode.OK, """{"Count":0,"Items":[],"ScannedCount":0}""");
        var config = new AmazonDynamoDBConfig { HttpClientFactory = new CapturingFactory(handler), MaxErrorRetry = 0 };
        endpoint(config);
        using var client = new AmazonDynamoDBClient(credentials, config);
        await client.ScanAsync(new ScanRequest
        {
            TableName = "orders",
            Segment = 3,
            TotalSegments = 8,
            Limit = 100,
            ConsistentRead = true,
            ExclusiveStartKey = new Dictionary<string, AttributeValue> { ["pk"] = new() { S = "customer#42 ünïcode" } },
        });
        var (request, body) = Assert.Single(handler.Requests);
        return new Captured(body,
            Header(request, "Authorization")!,
            Header(request, "X-Amz-Date")!,
            Header(request, "X-Amz-Content-SHA256"),
            Header(request, "X-Amz-Security-Token"),
            request.RequestUri!);
    }

    private static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static async Task<Captured> SignWithOurs(byte[] body, DynamoCredentialSource credentials, string region, Uri? serviceUrl, string amzDate)
    {
        var instant = DateTimeOffset.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var handler = new CannedHttpHandler().Reply(HttpStatusCode.OK, "{}");
        using var transport = new DynamoHttpTransport(new DynamoHttpOptions
        {
            Region = region,
            ServiceUrl = serviceUrl,
            Credentials = credentials,
            Clock = new FixedClock(instant),
            MaxAttempts = 1,
        }, handler);
        using var response = await transport.SendAsync(transport.Endpoints.DynamoDb, "DynamoDB_20120810.Scan", body, CancellationToken.None);
        var (request, sent) = Assert.Single(handler.Requests);
        Assert.Equal(body, sent);
        Assert.Equal("application/x-amz-json-1.0", request.Content!.Headers.ContentType!.ToString());
        return new Captured(sent, Header(request, "Authorization")!, Header(request, "X-Amz-Date")!,
                            Header(request, "X-Amz-Content-SHA256"), Header(request, "X-Amz-Security-Token"), request.RequestUri!);
    }

    [Fact]
    public async Task Scan_is_signed_exactly_as_the_sdk_signs_it()
    {
        var sdk = await SignWithSdk(new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                    c => c.RegionEndpoint = RegionEndpoint.EUWest1);
        var ours = await SignWithOurs(sdk.Body, DynamoCredentialSource.FromKeys("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                      "eu-west-1", null, sdk.AmzDate);

        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", sdk.Authorization);
        Assert.Equal(sdk.Uri.AbsoluteUri, ours.Uri.AbsoluteUri);
        Assert.Equal(sdk.AmzDate, ours.AmzDate);
        Assert.Equal(sdk.ContentSha256, ours.ContentSha256);
        Assert.Equal(sdk.Authorization, ours.Authorization);
    }

    [Fact]
    public async Task Session_credentials_sign_the_security_token_as_the_sdk_does()
    {
        var sdk = await SignWithSdk(new SessionAWSCredentials("ASIAEXAMPLE", "secret/key+1", "token-value=="),
                                    c => c.RegionEndpoint = RegionEndpoint.USWest2);
        var ours = await SignWithOurs(sdk.Body, DynamoCredentialSource.FromKeys("ASIAEXAMPLE", "secret/key+1", "token-value=="),
                                      "us-west-2", null, sdk.AmzDate);

        Assert.Equal("token-value==", sdk.SecurityToken);
        Assert.Equal(sdk.SecurityToken, ours.SecurityToken);
        Assert.Equal(sdk.Authorization, ours.Authorization);
    }

    [Fact]
    public async Task An_endpoint_override_on_a_non_default_port_is_signed_as_the_sdk_does()
    {
        var sdk = await SignWithSdk(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), c =>
        {
            c.ServiceURL = "http://localhost:8123/";
            c.AuthenticationRegion = "ap-southeast-2";
        });
        var ours = await SignWithOurs(sdk.Body, DynamoCredentialSource.FromKeys("AKIDEXAMPLE", "secret"),
                                      "ap-southeast-2", new Uri("http://localhost:8123/"), sdk.AmzDate);

        Assert.Contains("/ap-southeast-2/dynamodb/aws4_request", sdk.Authorization);
        Assert.Equal(sdk.Authorization, ours.Authorization);
    }

    [Fact]
    public async Task A_different_body_gives_a_different_signature()
    {
        var sdk = await SignWithSdk(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), c => c.RegionEndpoint = RegionEndpoint.EUWest1);
        var tampered = sdk.Body.ToArray();
        tampered[^2] ^= 1;
        var ours = await SignWithOurs(tampered, DynamoCredentialSource.FromKeys("AKIDEXAMPLE", "secret"), "eu-west-1", null, sdk.AmzDate);
        Assert.NotEqual(sdk.Authorization, ours.Authorization);
    }
}
