using System.Text.Json;
using Polly;
using Polly.Retry;

namespace Replication.Dynamo.Http;

/// <summary>
/// One JSON-protocol call: serialize, sign, POST, read the body into a pooled buffer, map errors to typed
/// exceptions, and retry with jittered exponential back-off what a retry can fix. Knows nothing of Scan or Streams.
/// </summary>
public sealed class DynamoHttpTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly DynamoHttpOptions _options;
    private readonly DynamoRequestSigner _signer;
    private readonly ResiliencePipeline _retry;

    /// <param name="handler">Replaces the socket handler (tests, proxies); not disposed by this transport.</param>
    public DynamoHttpTransport(DynamoHttpOptions options, HttpMessageHandler? handler = null)
    {
        if (options.MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(options), $"MaxAttempts must be at least 1, was {options.MaxAttempts}");
        _options = options;
        Endpoints = DynamoEndpoints.For(options);
        _signer = new DynamoRequestSigner(Endpoints.SigningRegion, options.Clock);
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = System.Net.DecompressionMethods.None })
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _retry = BuildRetry(options);
    }

    public DynamoEndpoints Endpoints { get; }
    public DynamoHttpOptions Options => _options;

    private static ResiliencePipeline BuildRetry(DynamoHttpOptions options)
    {
        if (options.MaxAttempts == 1) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder { TimeProvider = options.Clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<DynamoException>(e => e.IsRetryable),
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is DynamoException fault) options.RetriedFault?.Invoke(fault);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>
    /// Posts <paramref name="body"/> (a complete JSON request) as <paramref name="target"/> (e.g.
    /// <c>DynamoDB_20120810.Scan</c>) and returns the 2xx body; the caller disposes it.
    /// </summary>
    public async Task<PooledBody> SendAsync(Uri endpoint, string target, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var operation = target[(target.IndexOf('.') + 1)..];
        return await _retry.ExecuteAsync(
            static async (state, ct) => await state.Self.SendOnceAsync(state.Endpoint, state.Target, state.Operation, state.Body, ct).ConfigureAwait(false),
            (Self: this, Endpoint: endpoint, Target: target, Operation: operation, Body: body),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the request with <paramref name="writeBody"/> (inside a JSON object) and sends it.</summary>
    public Task<PooledBody> SendAsync(Uri endpoint, string target, Action<Utf8JsonWriter> writeBody, CancellationToken cancellationToken)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            writeBody(json);
            json.WriteEndObject();
        }
        return SendAsync(endpoint, target, buffer.WrittenMemory, cancellationToken);
    }

    private async Task<PooledBody> SendOnceAsync(Uri endpoint, string target, string operation, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var credentials = await _options.Credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ReadOnlyMemoryContent(body) };
        _signer.Sign(request, target, body.Span, credentials);

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
            var responseBody = await PooledBody.ReadAsync(response.Content, attempt.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return responseBody;
            using (responseBody)
            {
                var typeHeader = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
                throw DynamoErrorMapper.Map(operation, response.StatusCode, responseBody.Span, typeHeader);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DynamoNetworkException(operation, $"no response within {_options.RequestTimeout.TotalSeconds:0.#} s from {endpoint}", e);
        }
        catch (HttpRequestException e)
        {
            throw new DynamoNetworkException(operation, $"{e.Message} ({endpoint})", e);
        }
        catch (IOException e)
        {
            throw new DynamoNetworkException(operation, $"{e.Message} ({endpoint})", e);
        }
    }

    /// <summary>Disposes the HttpClient; a handler passed to the constructor stays the caller's.</summary>
    public void Dispose() => _http.Dispose();
}
