using System.Globalization;
using System.Text;
using Replication.Bson;

namespace Replication.Tests.Bson;

/// <summary>
/// Seeded random documents of every BSON type survive BSON → canonical Extended JSON → BSON byte for byte, and relaxed
/// Extended JSON is stable across a round trip. Catches what hand-picked cases miss (escapes, surrogate pairs, NULs
/// inside strings, extreme numbers, deep nesting).
/// </summary>
public class ExtendedJsonRoundTripTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_documents_round_trip_through_canonical_extended_json(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 150; i++)
        {
            using var w = new BsonWriter();
            WriteDocument(w, random, depth: 0);
            var bson = w.ToArray();
            Assert.True(BsonValidator.TryValidate(bson, out var invalid), invalid?.Message);

            var canonical = ExtendedJson.ToCanonical(bson);
            Assert.True(Convert.ToHexString(bson) == Convert.ToHexString(ExtendedJson.Parse(canonical)), $"seed {seed} document {i}: {canonical}");

            var relaxed = ExtendedJson.ToRelaxed(bson);
            Assert.Equal(relaxed, ExtendedJson.ToRelaxed(ExtendedJson.Parse(relaxed)));
        }
    }

    private static void WriteDocument(BsonWriter w, Random random, int depth)
    {
        w.WriteStartDocument();
        var count = random.Next(0, 8);
        for (var i = 0; i < count; i++)
        {
            w.WriteName(Name(random, i));
            WriteValue(w, random, depth);
        }
        w.WriteEndDocument();
    }

    private static void WriteValue(BsonWriter w, Random random, int depth)
    {
        var kind = random.Next(depth < 3 ? 21 : 19);
        switch (kind)
        {
            case 0: w.WriteDouble(RandomDouble(random)); break;
            case 1: w.WriteString(Text(random)); break;
            case 2: w.WriteInt32(random.Next(int.MinValue, int.MaxValue)); break;
            case 3: w.WriteInt64(random.NextInt64(long.MinValue, long.MaxValue)); break;
            case 4: w.WriteBoolean(random.Next(2) == 1); break;
            case 5: w.WriteDateTime(random.Next(2) == 0 ? random.NextInt64(0, 253402300800000) : random.NextInt64(long.MinValue, long.MaxValue)); break;
            case 6: w.WriteNull(); break;
            case 7: w.WriteObjectId(ObjectId.NewId()); break;
            case 8:
                var data = new byte[random.Next(0, 40)];
                random.NextBytes(data);
                w.WriteBinary(data, (byte)random.Next(0, 256));
                break;
            case 9: w.WriteRegularExpression(Text(random).Replace("\0", ""), new string("imsxlu".Where(_ => random.Next(2) == 1).ToArray())); break;
            case 10: w.WriteJavaScript(Text(random)); break;
            case 11:
                using (var scope = new BsonWriter())
                {
                    WriteDocument(scope, random, depth + 1);
                    w.WriteJavaScriptWithScope(Text(random), scope.WrittenSpan);
                }
                break;
            case 12: w.WriteSymbol(Text(random)); break;
            case 13: w.WriteTimestamp((uint)random.NextInt64(0, uint.MaxValue + 1L), (uint)random.NextInt64(0, uint.MaxValue + 1L)); break;
            case 14: w.WriteDecimal128(RandomDecimal(random)); break;
            case 15: w.WriteMinKey(); break;
            case 16: w.WriteMaxKey(); break;
            case 17: w.WriteUndefined(); break;
            case 18: w.WriteDbPointer(Text(random), ObjectId.NewId()); break;
            case 19: WriteDocument(w, random, depth + 1); break;
            default:
                w.WriteStartArray();
                for (var n = random.Next(0, 5); n > 0; n--) WriteValue(w, random, depth + 1);
                w.WriteEndArray();
                break;
        }
    }

    // Names never start with '$': a '$' key is how Extended JSON marks a type wrapper, so such documents are not
    // expected to round-trip (the specification says as much).
    private static string Name(Random random, int index) => random.Next(4) == 0 ? "" + index : "k" + Text(random).Replace("\0", "");

    private static string Text(Random random)
    {
        var sb = new StringBuilder();
        for (var n = random.Next(0, 12); n > 0; n--)
        {
            switch (random.Next(6))
            {
                case 0: sb.Append((char)random.Next(0, 0x20)); break; // control characters, NUL included
                case 1: sb.Append("\"\\/"[random.Next(3)]); break;
                case 2: sb.Append((char)random.Next(0x80, 0xD800)); break;
                case 3: sb.Append(char.ConvertFromUtf32(random.Next(0x10000, 0x110000))); break;
                default: sb.Append((char)random.Next(0x20, 0x7F)); break;
            }
        }
        return sb.ToString();
    }

    private static double RandomDouble(Random random)
    {
        var value = random.Next(4) switch
        {
            0 => BitConverter.Int64BitsToDouble(random.NextInt64()),
            1 => random.Next(-1000, 1000) / 8.0,
            2 => random.NextDouble() * Math.Pow(10, random.Next(-30, 30)),
            _ => new[] { 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, 1e16, 1e-5 }[random.Next(8)],
        };
        // Extended JSON has one NaN; payloads are lost by design, so only the NaN it produces is generated.
        return double.IsNaN(value) ? double.NaN : value;
    }

    private static Decimal128 RandomDecimal(Random random)
    {
        switch (random.Next(10))
        {
            case 0: return Decimal128.NaN;
            case 1: return random.Next(2) == 0 ? Decimal128.PositiveInfinity : Decimal128.NegativeInfinity;
        }
        var digits = new StringBuilder();
        for (var n = random.Next(1, 35); n > 0; n--) digits.Append((char)('0' + random.Next(10)));
        var exponent = random.Next(3) == 0 ? random.Next(-6176, 6112) : random.Next(-40, 40);
        var sign = random.Next(2) == 0 ? "-" : "";
        return Decimal128.Parse($"{sign}{digits}E{exponent.ToString(CultureInfo.InvariantCulture)}");
    }
}
