using System.Text;
using System.Text.Json;
using Replication.Dynamo.Conversion;
using Replication.Dynamo.Http;

namespace Replication.Dynamo;

/// <summary>Scan over the JSON protocol; each page's items go straight from the response bytes into BSON.</summary>
public sealed class DynamoScanClient(DynamoHttpTransport transport)
{
    private const string ScanTarget = "DynamoDB_20120810.Scan";

    public async Task<ScanPage> ScanAsync(ScanSegmentRequest request, DynamoItemConverter converter, CancellationToken cancellationToken = default)
    {
        using var body = await transport.SendAsync(transport.Endpoints.DynamoDb, ScanTarget, json => WriteRequest(json, request), cancellationToken)
                                        .ConfigureAwait(false);
        return ReadPage(body.Span, converter, request.TableName);
    }

    private static void WriteRequest(Utf8JsonWriter json, ScanSegmentRequest request)
    {
        json.WriteString("TableName", request.TableName);
        if (request.Segment is { } segment) json.WriteNumber("Segment", segment);
        if (request.TotalSegments is { } total) json.WriteNumber("TotalSegments", total);
        if (request.Limit is { } limit) json.WriteNumber("Limit", limit);
        if (request.ConsistentRead) json.WriteBoolean("ConsistentRead", true);
        if (request.ExclusiveStartKeyJson is { } start)
        {
            json.WritePropertyName("ExclusiveStartKey");
            json.WriteRawValue(start);
        }
    }

    internal static ScanPage ReadPage(ReadOnlySpan<byte> response, DynamoItemConverter converter, string tableName)
    {
        // Converted BSON is usually a little smaller than the DynamoDB JSON it comes from.
        var documents = new BsonDocumentSequence(Math.Max(256, response.Length));
        try
        {
            var reader = new Utf8JsonReader(response, DynamoItemConverter.ReaderOptions);
            Expect(ref reader, JsonTokenType.StartObject, tableName);
            List<ItemConversionFailure>? failures = null;
            int count = 0, scanned = 0;
            string? lastKey = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("Items"))
                {
                    Expect(ref reader, JsonTokenType.StartArray, tableName);
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        if (documents.Convert(ref reader, response, converter, keyFilter: false, out var failure) < 0)
                            (failures ??= []).Add(failure!);
                    }
                }
                else if (reader.ValueTextEquals("Count")) { reader.Read(); count = reader.GetInt32(); }
                else if (reader.ValueTextEquals("ScannedCount")) { reader.Read(); scanned = reader.GetInt32(); }
                else if (reader.ValueTextEquals("LastEvaluatedKey"))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        var from = (int)reader.TokenStartIndex;
                        reader.Skip();
                        lastKey = Encoding.UTF8.GetString(response[from..(int)reader.BytesConsumed]);
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return new ScanPage(documents, (IReadOnlyList<ItemConversionFailure>?)failures ?? [], count, scanned, lastKey, response.Length);
        }
        catch
        {
            documents.Dispose();
            throw;
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string tableName)
    {
        if (!reader.Read() || reader.TokenType != type)
            throw new JsonException($"unexpected Scan response for table '{tableName}': expected {type} at byte {reader.TokenStartIndex}, found {reader.TokenType}");
    }
}
