using System.Text.Json;
using Amazon.DynamoDBv2.Model;

namespace Replication.Testing.SyntheticDynamo;

/// <summary>Writes SDK <see cref="AttributeValue"/>s as DynamoDB's wire JSON (S, N, B as base64, BOOL, NULL, M, L, SS, NS, BS).</summary>
public static class DynamoJsonItemWriter
{
    public static void WriteItem(Utf8JsonWriter json, IReadOnlyDictionary<string, AttributeValue> item)
    {
        json.WriteStartObject();
        foreach (var (name, value) in item)
        {
            json.WritePropertyName(name);
            WriteValue(json, value);
        }
        json.WriteEndObject();
    }

    public static void WriteValue(Utf8JsonWriter json, AttributeValue value)
    {
        json.WriteStartObject();
        if (value.S is { } s) json.WriteString("S", s);
        else if (value.N is { } n) json.WriteString("N", n);
        else if (value.B is { } b) WriteBinary(json, "B", b);
        else if (value.BOOL is { } flag) json.WriteBoolean("BOOL", flag);
        else if (value.NULL == true) json.WriteBoolean("NULL", true);
        else if (value.M is { } map)
        {
            json.WritePropertyName("M");
            WriteItem(json, map);
        }
        else if (value.L is { } list)
        {
            json.WriteStartArray("L");
            foreach (var element in list) WriteValue(json, element);
            json.WriteEndArray();
        }
        else if (value.SS is { } strings) WriteStrings(json, "SS", strings);
        else if (value.NS is { } numbers) WriteStrings(json, "NS", numbers);
        else if (value.BS is { } binaries)
        {
            json.WriteStartArray("BS");
            foreach (var element in binaries) json.WriteBase64StringValue(Bytes(element));
            json.WriteEndArray();
        }
        else throw new ArgumentException("the attribute value has no type set", nameof(value));
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string type, List<string> values)
    {
        json.WriteStartArray(type);
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }

    private static void WriteBinary(Utf8JsonWriter json, string type, MemoryStream stream) => json.WriteBase64String(type, Bytes(stream));

    private static ReadOnlySpan<byte> Bytes(MemoryStream stream) =>
        stream.TryGetBuffer(out var buffer) ? buffer.AsSpan() : stream.ToArray();
}
