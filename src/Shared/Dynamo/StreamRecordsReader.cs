using System.Text.Json;
using Replication.Dynamo.Conversion;

namespace Replication.Dynamo;

/// <summary>Reads a GetRecords response in one pass, writing each record's Keys and NewImage as BSON into one buffer.</summary>
internal static class StreamRecordsReader
{
    private readonly record struct Pending(StreamEventName EventName, SequenceNumber Sequence, DateTimeOffset? Created, long SizeBytes, int KeyIndex, int ImageIndex, ItemConversionFailure? Failure);

    public static StreamRecordsPage Read(ReadOnlySpan<byte> response, DynamoItemConverter converter)
    {
        var documents = new BsonDocumentSequence(Math.Max(256, response.Length));
        try
        {
            var pending = new List<Pending>();
            string? next = null;
            var reader = new Utf8JsonReader(response, DynamoItemConverter.ReaderOptions);
            ExpectRead(ref reader, JsonTokenType.StartObject);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("Records"))
                {
                    ExpectRead(ref reader, JsonTokenType.StartArray);
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                        pending.Add(ReadRecord(ref reader, response, converter, documents));
                }
                else if (reader.ValueTextEquals("NextShardIterator"))
                {
                    reader.Read();
                    next = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Slices are taken only now: the writer may have moved to a bigger buffer while records were added.
            var records = new StreamRecord[pending.Count];
            for (var i = 0; i < records.Length; i++)
            {
                var p = pending[i];
                records[i] = new StreamRecord(p.EventName, p.Sequence, p.Created, p.SizeBytes,
                                              p.KeyIndex >= 0 ? documents[p.KeyIndex] : ReadOnlyMemory<byte>.Empty,
                                              p.ImageIndex >= 0 ? documents[p.ImageIndex] : ReadOnlyMemory<byte>.Empty)
                { ConversionFailure = p.Failure };
            }
            return new StreamRecordsPage(documents, records, next, response.Length);
        }
        catch
        {
            documents.Dispose();
            throw;
        }
    }

    private static Pending ReadRecord(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, DynamoItemConverter converter, BsonDocumentSequence documents)
    {
        StreamEventName? eventName = null;
        SequenceNumber sequence = default;
        DateTimeOffset? created = null;
        long size = 0;
        int keyIndex = -1, imageIndex = -1;
        var sawKeys = false;
        ItemConversionFailure? failure = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("eventName"))
            {
                reader.Read();
                eventName = reader.GetString() switch
                {
                    "INSERT" => StreamEventName.Insert,
                    "MODIFY" => StreamEventName.Modify,
                    "REMOVE" => StreamEventName.Remove,
                    var other => throw new JsonException($"unknown stream event name '{other}'"),
                };
            }
            else if (reader.ValueTextEquals("dynamodb"))
            {
                ExpectRead(ref reader, JsonTokenType.StartObject);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("Keys"))
                    {
                        ExpectRead(ref reader, JsonTokenType.StartObject);
                        sawKeys = true;
                        keyIndex = documents.Convert(ref reader, json, converter, keyFilter: true, out var keyFailure);
                        failure ??= keyFailure;
                    }
                    else if (reader.ValueTextEquals("NewImage"))
                    {
                        ExpectRead(ref reader, JsonTokenType.StartObject);
                        imageIndex = documents.Convert(ref reader, json, converter, keyFilter: false, out var imageFailure);
                        failure ??= imageFailure;
                    }
                    else if (reader.ValueTextEquals("SequenceNumber"))
                    {
                        reader.Read();
                        sequence = SequenceNumber.Parse(reader.GetString()!);
                    }
                    else if (reader.ValueTextEquals("SizeBytes"))
                    {
                        reader.Read();
                        size = reader.GetInt64();
                    }
                    else if (reader.ValueTextEquals("ApproximateCreationDateTime"))
                    {
                        reader.Read();
                        // Epoch seconds; the service may send a fraction.
                        created = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(reader.GetDouble() * 1000));
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (eventName is null) throw new JsonException($"stream record {sequence} has no eventName");
        if (!sawKeys) throw new JsonException($"stream record {sequence} has no Keys");
        if (sequence.IsEmpty) throw new JsonException("a stream record has no SequenceNumber");
        return new Pending(eventName.Value, sequence, created, size, keyIndex, imageIndex, failure);
    }

    private static void ExpectRead(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
            throw new JsonException($"unexpected GetRecords response: expected {type} at byte {reader.TokenStartIndex}, found {reader.TokenType}");
    }
}
