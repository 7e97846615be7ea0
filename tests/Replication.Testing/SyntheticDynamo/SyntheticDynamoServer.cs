using System.Buffers;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Replication.Testing.SyntheticDynamo;

/// <summary>
/// A DynamoDB endpoint (JSON protocol over HTTP, signatures ignored) serving one <see cref="SyntheticTable"/>: exactly
/// what a node in <c>replication.mode=full</c> calls — ListTables, DescribeTable and (parallel) Scan. For memory
/// benchmarks of the full sync at table sizes DynamoDB Local cannot scan in reasonable time; not a DynamoDB emulator.
/// </summary>
public sealed class SyntheticDynamoServer : IAsyncDisposable
{
    private const string TargetPrefix = "DynamoDB_20120810.";
    private const string ContentType = "application/x-amz-json-1.0";
    // DynamoDB sends non-ASCII text as raw UTF-8, not as \u escapes.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly DateTimeOffset CreatedAt = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SyntheticTable _table;
    private readonly WebApplication _app;

    private SyntheticDynamoServer(SyntheticTable table, WebApplication app, Uri serviceUrl)
    {
        _table = table;
        _app = app;
        ServiceUrl = serviceUrl;
    }

    public Uri ServiceUrl { get; }

    /// <summary>Listens on <paramref name="bind"/>:<paramref name="port"/> (0 picks a free port; <see cref="ServiceUrl"/> tells which).</summary>
    public static async Task<SyntheticDynamoServer> StartAsync(SyntheticTable table, int port = 0, IPAddress? bind = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "synthetic-dynamodb" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1 << 20;
            kestrel.Listen(bind ?? IPAddress.Loopback, port);
        });
        builder.Services.Replace(ServiceDescriptor.Singleton<IHostLifetime, NoHostLifetime>());
        var app = builder.Build();
        SyntheticDynamoServer? server = null;
        app.Run(http => server!.HandleAsync(http));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server = new SyntheticDynamoServer(table, app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
        return server;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var target = http.Request.Headers["X-Amz-Target"].ToString();
        if (!HttpMethods.IsPost(http.Request.Method) || !target.StartsWith(TargetPrefix, StringComparison.Ordinal))
        {
            await ErrorAsync(http, "UnknownOperationException", $"not a DynamoDB request: {http.Request.Method} {target}").ConfigureAwait(false);
            return;
        }
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted).ConfigureAwait(false);
        JsonDocument request;
        try
        {
            request = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
        }
        catch (JsonException e)
        {
            await ErrorAsync(http, "SerializationException", e.Message).ConfigureAwait(false);
            return;
        }
        using (request)
        {
            var root = request.RootElement;
            var operation = target[TargetPrefix.Length..];
            if (operation != "ListTables" && (!root.TryGetProperty("TableName", out var name) || name.GetString() != _table.Name))
            {
                await ErrorAsync(http, "ResourceNotFoundException", "Requested resource not found").ConfigureAwait(false);
                return;
            }
            var response = new ArrayBufferWriter<byte>(operation == "Scan" ? _table.MaxPageBytes + 64 * 1024 : 1024);
            try
            {
                using (var json = new Utf8JsonWriter(response, WriterOptions))
                {
                    switch (operation)
                    {
                        case "ListTables": WriteListTables(json, root); break;
                        case "DescribeTable": WriteDescribeTable(json); break;
                        case "Scan": WriteScan(json, root); break;
                        default:
                            await ErrorAsync(http, "UnknownOperationException", $"{operation} is not served by the synthetic endpoint").ConfigureAwait(false);
                            return;
                    }
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                await ErrorAsync(http, "ValidationException", e.Message).ConfigureAwait(false);
                return;
            }
            await WriteAsync(http, StatusCodes.Status200OK, response.WrittenMemory).ConfigureAwait(false);
        }
    }

    private void WriteListTables(Utf8JsonWriter json, JsonElement request)
    {
        var after = request.TryGetProperty("ExclusiveStartTableName", out var start) ? start.GetString() : null;
        json.WriteStartObject();
        json.WriteStartArray("TableNames");
        if (after is null || string.CompareOrdinal(after, _table.Name) < 0) json.WriteStringValue(_table.Name);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private void WriteDescribeTable(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartObject("Table");
        json.WriteString("TableName", _table.Name);
        json.WriteString("TableArn", $"arn:aws:dynamodb:us-east-1:000000000000:table/{_table.Name}");
        json.WriteString("TableStatus", "ACTIVE");
        json.WriteNumber("CreationDateTime", CreatedAt.ToUnixTimeSeconds());
        json.WriteNumber("ItemCount", _table.ItemCount);
        json.WriteNumber("TableSizeBytes", (long)(_table.AverageItemBytes * _table.ItemCount));
        json.WriteStartArray("KeySchema");
        json.WriteStartObject();
        json.WriteString("AttributeName", _table.HashKey);
        json.WriteString("KeyType", "HASH");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartArray("AttributeDefinitions");
        json.WriteStartObject();
        json.WriteString("AttributeName", _table.HashKey);
        json.WriteString("AttributeType", "S");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartObject("ProvisionedThroughput");
        json.WriteNumber("ReadCapacityUnits", 0);
        json.WriteNumber("WriteCapacityUnits", 0);
        json.WriteNumber("NumberOfDecreasesToday", 0);
        json.WriteEndObject();
        json.WriteStartObject("BillingModeSummary");
        json.WriteString("BillingMode", "PAY_PER_REQUEST");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private void WriteScan(Utf8JsonWriter json, JsonElement request)
    {
        var segment = request.TryGetProperty("Segment", out var s) ? s.GetInt32() : 0;
        var total = request.TryGetProperty("TotalSegments", out var t) ? t.GetInt32() : 1;
        int? limit = request.TryGetProperty("Limit", out var l) ? l.GetInt32() : null;
        int? start = request.TryGetProperty("ExclusiveStartKey", out var key) ? _table.IndexOfKey(key) : null;
        if (start is { } index && (index < 0 || index % total != segment))
            throw new ArgumentException($"ExclusiveStartKey {key.GetRawText()} does not belong to segment {segment} of {total}");
        _table.WriteScanPage(json, segment, total, start, limit);
    }

    private static Task ErrorAsync(HttpContext http, string type, string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("__type", "com.amazonaws.dynamodb.v20120810#" + type);
            json.WriteString("message", message);
            json.WriteEndObject();
        }
        return WriteAsync(http, StatusCodes.Status400BadRequest, buffer.WrittenMemory);
    }

    private static async Task WriteAsync(HttpContext http, int status, ReadOnlyMemory<byte> body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = ContentType;
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The server runs inside a test or a verb that handles its own signals; the host must not.</summary>
    private sealed class NoHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
