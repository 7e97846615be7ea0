using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace Replication.Dynamo.Http;

/// <summary>
/// Signs a JSON-protocol POST with SigV4. The canonical request of this one request shape (POST, path from the
/// endpoint, no query string, a fixed header set) is built here; AWSSDK.Core's <see cref="AWS4Signer"/> sets the
/// host/date headers and derives the signing key and signature, so key derivation and the string-to-sign are the
/// SDK's. The header set is the one the SDK's DynamoDB client signs, and a test compares the two Authorization
/// headers byte for byte.
/// </summary>
public sealed class DynamoRequestSigner(string region, TimeProvider clock)
{
    public const string ContentType = "application/x-amz-json-1.0";
    public const string ApiVersion = "2012-08-10";

    public string Region { get; } = region;

    public void Sign(HttpRequestMessage request, string target, ReadOnlySpan<byte> body, ImmutableCredentials credentials)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("the request has no URI", nameof(request));
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var signedAt = AWS4Signer.InitializeHeaders(headers, uri, clock.GetUtcNow().UtcDateTime);
        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(body));

        headers["Content-Type"] = ContentType;
        headers["X-Amz-Target"] = target;
        headers["X-Amz-Api-Version"] = ApiVersion;
        headers["X-Amz-Content-SHA256"] = bodyHash;
        if (credentials.UseToken) headers["X-Amz-Security-Token"] = credentials.Token;

        var sorted = headers.Select(h => (Name: h.Key.ToLowerInvariant(), Value: h.Value.Trim()))
                            .OrderBy(h => h.Name, StringComparer.Ordinal).ToArray();
        var signedHeaders = string.Join(';', sorted.Select(h => h.Name));

        var canonical = new StringBuilder(512)
            .Append("POST\n")
            .Append(string.IsNullOrEmpty(uri.AbsolutePath) ? "/" : uri.AbsolutePath).Append('\n')
            .Append('\n');
        foreach (var (name, value) in sorted) canonical.Append(name).Append(':').Append(value).Append('\n');
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(bodyHash);

        var result = AWS4Signer.ComputeSignature(credentials, Region, signedAt, DynamoEndpoints.SigningService,
                                                 signedHeaders, canonical.ToString());

        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                if (request.Content is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
            }
            else if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
        request.Headers.TryAddWithoutValidation("Authorization", result.ForAuthorizationHeader);
    }
}
