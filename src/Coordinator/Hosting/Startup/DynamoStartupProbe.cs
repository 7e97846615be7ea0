using Replication.Dynamo.Http;

namespace Replication.Coordinator.Hosting.Startup;

/// <summary>
/// The startup check of the source: credentials are found, and one ListTables call is answered and accepted. Network
/// faults and throttling are retried until the deadline; missing or refused credentials fail at once, since waiting
/// cannot fix them.
/// </summary>
public static class DynamoStartupProbe
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);

    public static async Task CheckAsync(DynamoHttpOptions options, string setting, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var transport = new DynamoHttpTransport(options with { MaxAttempts = 1 });
        var endpoint = transport.Endpoints.DynamoDb;
        var host = endpoint.GetLeftPart(UriPartial.Authority);
        var started = options.Clock.GetTimestamp();
        string? lastCause = null;
        while (true)
        {
            var left = deadline - options.Clock.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
                throw new StartupFailure(StartupFailureKind.SourceUnreachable,
                    $"cannot reach DynamoDB at {host} ({setting}): {lastCause ?? "no answer"}; gave up after {deadline.TotalSeconds:0.#} s (replication.startup-timeout)");
            var attemptTimeout = left < options.RequestTimeout ? left : options.RequestTimeout;
            try
            {
                await ListOneTableAsync(transport, endpoint, attemptTimeout, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException e) when (e.Message.StartsWith("could not obtain AWS credentials", StringComparison.Ordinal))
            {
                throw new StartupFailure(StartupFailureKind.SourceCredentials,
                    $"no AWS credentials for DynamoDB at {host}: {FirstLine(e.Message)}; set replication.source.dynamodb.credentials " +
                    "(access-key-id and secret-access-key, or profile) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
            }
            catch (DynamoException e) when (!e.IsRetryable)
            {
                throw new StartupFailure(StartupFailureKind.SourceCredentials,
                    $"DynamoDB at {host} refused the request ({setting}, replication.source.dynamodb.credentials): {e.Message}");
            }
            catch (DynamoException e)
            {
                // A last attempt cut short by the deadline says less than the answer before it (a refused connection, say).
                var cutShort = e.InnerException is OperationCanceledException && attemptTimeout < options.RequestTimeout;
                if (!cutShort || lastCause is null) lastCause = e is DynamoNetworkException ? e.ServiceMessage : e.Message;
            }
            var pause = deadline - options.Clock.GetElapsedTime(started);
            if (pause > Pause) pause = Pause;
            if (pause > TimeSpan.Zero) await Task.Delay(pause, options.Clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ListOneTableAsync(DynamoHttpTransport transport, Uri endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        try
        {
            using var body = await transport.SendAsync(endpoint, "DynamoDB_20120810.ListTables", json => json.WriteNumber("Limit", 1), attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DynamoNetworkException("ListTables", $"no answer within {timeout.TotalSeconds:0.#} s (is a firewall dropping the packets?)", e);
        }
    }

    // The SDK's credential errors run over several lines, one per provider it tried.
    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
