using System.Net;
using Replication.Dynamo;
using Replication.Dynamo.Conversion;
using Replication.Dynamo.Http;

namespace Replication.Tests.Dynamo;

public class ErrorMappingAndRetryTests
{
    private const string EmptyScan = """{"Count":0,"Items":[],"ScannedCount":0}""";
    private static readonly DynamoItemConverter Converter = new(ConvertMode.Typed, IdentityMode.Id, new TableKeySchema("pk", null));

    private static DynamoHttpTransport Transport(CannedHttpHandler handler, int maxAttempts = 4) => new(new DynamoHttpOptions
    {
        Region = "eu-west-1",
        Credentials = DynamoCredentialSource.FromKeys("AKIDEXAMPLE", "secret"),
        MaxAttempts = maxAttempts,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        RetryMaxDelay = TimeSpan.FromMilliseconds(5),
    }, handler);

    private static Task<ScanPage> Scan(DynamoHttpTransport transport) =>
        new DynamoScanClient(transport).ScanAsync(new ScanSegmentRequest("t"), Converter);

    [Theory]
    [InlineData("ProvisionedThroughputExceededException")]
    [InlineData("ThrottlingException")]
    [InlineData("LimitExceededException")]
    [InlineData("RequestLimitExceeded")]
    public async Task Throttling_is_retried_until_it_succeeds(string type)
    {
        var handler = new CannedHttpHandler().Error(HttpStatusCode.BadRequest, type).Error(HttpStatusCode.BadRequest, type).Reply(HttpStatusCode.OK, EmptyScan);
        using var transport = Transport(handler);
        using var page = await Scan(transport);
        Assert.Equal(0, page.Count);
        Assert.True(page.IsLastPage);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Server_errors_are_retried()
    {
        var handler = new CannedHttpHandler()
            .Reply(HttpStatusCode.InternalServerError, "")
            .Error(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable")
            .Reply(HttpStatusCode.OK, EmptyScan);
        using var transport = Transport(handler);
        using var page = await Scan(transport);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Network_faults_are_retried()
    {
        var handler = new CannedHttpHandler().Fail(new HttpRequestException("connection reset")).Reply(HttpStatusCode.OK, EmptyScan);
        using var transport = Transport(handler);
        using var page = await Scan(transport);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Attempts_are_bounded_and_the_last_error_surfaces()
    {
        var handler = new CannedHttpHandler();
        for (var i = 0; i < 5; i++) handler.Error(HttpStatusCode.InternalServerError, "InternalServerError", $"attempt {i + 1}");
        using var transport = Transport(handler, maxAttempts: 3);
        var e = await Assert.ThrowsAsync<DynamoServerException>(() => Scan(transport));
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal("InternalServerError", e.ErrorType);
        Assert.Equal("attempt 3", e.ServiceMessage);
        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Contains("Scan", e.Message);
    }

    [Fact]
    public async Task Validation_errors_are_not_retried()
    {
        var handler = new CannedHttpHandler().Error(HttpStatusCode.BadRequest, "ValidationException", "1 validation error detected").Reply(HttpStatusCode.OK, EmptyScan);
        using var transport = Transport(handler);
        var e = await Assert.ThrowsAsync<DynamoValidationException>(() => Scan(transport));
        Assert.Single(handler.Requests);
        Assert.False(e.IsRetryable);
        Assert.Contains("1 validation error detected", e.Message);
    }

    [Fact]
    public async Task Resource_not_found_is_typed_and_not_retried()
    {
        var handler = new CannedHttpHandler().Error(HttpStatusCode.BadRequest, "ResourceNotFoundException", "Requested resource not found").Reply(HttpStatusCode.OK, EmptyScan);
        using var transport = Transport(handler);
        await Assert.ThrowsAsync<DynamoResourceNotFoundException>(() => Scan(transport));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Expired_iterator_is_typed_and_not_retried()
    {
        var handler = new CannedHttpHandler()
            .Reply(HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.dynamodb.v20120810#ExpiredIteratorException","message":"Iterator expired"}""")
            .Reply(HttpStatusCode.OK, """{"Records":[]}""");
        using var transport = Transport(handler);
        var e = await Assert.ThrowsAsync<DynamoExpiredIteratorException>(() => new DynamoStreamsClient(transport).GetRecordsAsync("iterator", Converter));
        Assert.Single(handler.Requests);
        Assert.Equal("GetRecords", e.Operation);
        Assert.Equal("DynamoDBStreams_20120810.GetRecords", handler.Requests[0].Request.Headers.GetValues("X-Amz-Target").Single());
        Assert.Equal("https://streams.dynamodb.eu-west-1.amazonaws.com/", handler.Requests[0].Request.RequestUri!.ToString());
    }

    [Fact]
    public async Task Trimmed_data_is_typed_and_not_retried()
    {
        var handler = new CannedHttpHandler().Error(HttpStatusCode.BadRequest, "TrimmedDataAccessException").Reply(HttpStatusCode.OK, """{"Records":[]}""");
        using var transport = Transport(handler);
        await Assert.ThrowsAsync<DynamoTrimmedDataAccessException>(() => new DynamoStreamsClient(transport).GetRecordsAsync("iterator", Converter));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public void Error_type_comes_from_the_header_when_the_body_has_none()
    {
        var e = DynamoErrorMapper.Map("Scan", HttpStatusCode.BadRequest, "not json"u8, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/");
        Assert.IsType<DynamoThrottlingException>(e);
        Assert.True(e.IsRetryable);
    }

    [Fact]
    public void Unknown_client_errors_are_not_retryable_and_unknown_server_errors_are()
    {
        var denied = DynamoErrorMapper.Map("Scan", HttpStatusCode.BadRequest, """{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"no"}"""u8);
        Assert.False(denied.IsRetryable);
        Assert.Equal("AccessDeniedException", denied.ErrorType);
        Assert.Equal("no", denied.ServiceMessage);
        Assert.IsType<DynamoServerException>(DynamoErrorMapper.Map("Scan", HttpStatusCode.BadGateway, ""u8));
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_turned_into_a_network_fault()
    {
        var handler = new CannedHttpHandler().Reply(HttpStatusCode.OK, EmptyScan);
        using var transport = Transport(handler);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new DynamoScanClient(transport).ScanAsync(new ScanSegmentRequest("t"), Converter, cancelled.Token));
    }
}
