using Replication.Coordinator.Hosting.Startup;
using Replication.Dynamo.Http;

namespace Replication.Tests.Operator;

/// <summary>The startup check of the source against loopback endpoints that misbehave in a given way.</summary>
public sealed class DynamoStartupProbeTests : IDisposable
{
    private readonly UnansweringEndpoints _endpoints = new();

    public void Dispose() => _endpoints.Dispose();

    /// <summary>The check of the endpoint on <paramref name="port"/>, which must fail; what it threw.</summary>
    private static Task<StartupFailure> FailedCheckAsync(int port, TimeSpan deadline) =>
        Assert.ThrowsAsync<StartupFailure>(() => DynamoStartupProbe.CheckAsync(new DynamoHttpOptions
        {
            Region = "us-east-1",
            ServiceUrl = new Uri($"http://127.0.0.1:{port}"),
            Credentials = DynamoCredentialSource.FromKeys("AKIAPROBETEST", "probe-secret", null),
        }, "replication.source.dynamodb.endpoint", deadline, CancellationToken.None));

    [Fact]
    public async Task The_error_names_the_last_real_answer_not_a_final_attempt_the_deadline_cut_short()
    {
        // Attempt 1 is throttled; attempt 2, a second later, gets no answer and is cut off by the 5 s deadline (the first
        // attempt has all of it, so a slow machine still gets its answer).
        var port = _endpoints.ThrottlingOnceThenSilent();

        var failure = await FailedCheckAsync(port, TimeSpan.FromSeconds(5));

        Assert.Equal(StartupFailureKind.SourceUnreachable, failure.Kind);
        Assert.Contains($"cannot reach DynamoDB at http://127.0.0.1:{port}", failure.Message);
        Assert.Contains("ThrottlingException", failure.Message);
        Assert.DoesNotContain("no answer", failure.Message);
    }

    [Fact]
    public async Task A_source_that_never_answers_is_reported_as_no_answer()
    {
        var port = _endpoints.Blackholed();

        var failure = await FailedCheckAsync(port, TimeSpan.FromSeconds(1.5));

        Assert.Equal(StartupFailureKind.SourceUnreachable, failure.Kind);
        Assert.Contains("no answer within 1.5 s", failure.Message);
    }
}
