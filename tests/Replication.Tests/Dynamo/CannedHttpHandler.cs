using System.Net;
using System.Text;

namespace Replication.Tests.Dynamo;

/// <summary>Stands in for the network: answers each request with the next canned reply and records what was sent.</summary>
internal sealed class CannedHttpHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpResponseMessage>> _replies = new();

    public List<(HttpRequestMessage Request, byte[] Body)> Requests { get; } = [];

    public CannedHttpHandler Reply(HttpStatusCode status, string json)
    {
        _replies.Enqueue(() => new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/x-amz-json-1.0") });
        return this;
    }

    public CannedHttpHandler Error(HttpStatusCode status, string type, string message = "canned") =>
        Reply(status, $$"""{"__type":"com.amazonaws.dynamodb.v20120810#{{type}}","message":"{{message}}"}""");

    public CannedHttpHandler Fail(Exception exception)
    {
        _replies.Enqueue(() => throw exception);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        Requests.Add((request, body));
        if (!_replies.TryDequeue(out var reply)) throw new InvalidOperationException($"no canned reply left for request {Requests.Count}");
        return reply();
    }
}

/// <summary>A clock that stays where it is set.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
