using System.Globalization;
using System.Text;
using MongoDB.Bson;
using Replication.Bson;
using Replication.Testing;
using Replication.Tests.Bson.Corpus;
using Decimal128 = Replication.Bson.Decimal128;

namespace Replication.Tests.Bson;

/// <summary>
/// Seeded random documents of every BSON type, written by our <see cref="BsonWriter"/>: MongoDB.Bson reads them and
/// writes them again byte for byte, and our reader reads them back through its typed accessors into the same bytes.
/// Catches what hand-picked cases miss (surrogate pairs, NULs inside strings, extreme numbers, deep nesting).
/// </summary>
public class BsonWriterRoundTripTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    public void Random_documents_written_by_our_writer_read_back_the_same_in_MongoDB_Bson_and_our_reader(int seed, bool readableByReference)
    {
        var random = new Random(seed);
        for (var i = 0; i < 150; i++)
        {
            using var w = new BsonWriter();
            WriteDocument(w, random, depth: 0, readableByReference);
            var bson = w.ToArray();

            Assert.True(Convert.ToHexString(bson) == Convert.ToHexString(OwnCodec.Rewrite(bson)), $"seed {seed} document {i}: our reader");
            if (readableByReference)
            {
                var reference = BsonBytes.ToDocument(bson);
                Assert.True(Convert.ToHexString(bson) == Convert.ToHexString(reference.ToBson()), $"seed {seed} document {i}: {BsonBytes.ToCanonicalJson(reference)}");
            }
        }
    }

    private static void WriteDocument(BsonWriter w, Random random, int depth, bool readableByReference)
    {
        w.WriteStartDocument();
        var count = random.Next(0, 8);
        for (var i = 0; i < count; i++)
        {
            w.WriteName(Name(random, i));
            WriteValue(w, random, depth, readableByReference);
        }
        w.WriteEndDocument();
    }

    private static void WriteValue(BsonWriter w, Random random, int depth, bool readableByReference)
    {
        var kind = random.Next(depth < 3 ? 21 : 19);
        switch (kind)
        {
            case 0: w.WriteDouble(RandomDouble(random, readableByReference)); break;
            case 1: w.WriteString(Text(random)); break;
            case 2: w.WriteInt32(random.Next(int.MinValue, int.MaxValue)); break;
            case 3: w.WriteInt64(random.NextInt64(long.MinValue, long.MaxValue)); break;
            case 4: w.WriteBoolean(random.Next(2) == 1); break;
            case 5: w.WriteDateTime(random.Next(2) == 0 ? random.NextInt64(0, 253402300800000) : random.NextInt64(long.MinValue, long.MaxValue)); break;
            case 6: w.WriteNull(); break;
            case 7: w.WriteObjectId(ObjectId.GenerateNewId()); break;
            case 8:
                // MongoDB.Bson reads the old subtype 2 as subtype 0, and UUIDs (3, 4) only when 16 bytes long.
                var subtype = (byte)random.Next(0, 256);
                if (readableByReference && subtype == 2) subtype = 0;
                var data = new byte[readableByReference && subtype is 3 or 4 ? 16 : random.Next(0, 40)];
                random.NextBytes(data);
                w.WriteBinary(data, subtype);
                break;
            case 9: w.WriteRegularExpression(Text(random).Replace("\0", ""), new string("imsxlu".Where(_ => random.Next(2) == 1).ToArray())); break;
            case 10: w.WriteJavaScript(Text(random)); break;
            case 11:
                using (var scope = new BsonWriter())
                {
                    WriteDocument(scope, random, depth + 1, readableByReference);
                    w.WriteJavaScriptWithScope(Text(random), scope.WrittenSpan);
                }
                break;
            case 12: w.WriteSymbol(Text(random)); break;
            case 13: w.WriteTimestamp((uint)random.NextInt64(0, uint.MaxValue + 1L), (uint)random.NextInt64(0, uint.MaxValue + 1L)); break;
            case 14: w.WriteDecimal128(RandomDecimal(random)); break;
            case 15: w.WriteMinKey(); break;
            case 16: w.WriteMaxKey(); break;
            case 17: w.WriteUndefined(); break;
            // MongoDB.Bson has no DBPointer type.
            case 18 when readableByReference: w.WriteNull(); break;
            case 18: w.WriteDbPointer(Text(random), ObjectId.GenerateNewId()); break;
            case 19: WriteDocument(w, random, depth + 1, readableByReference); break;
            default:
                w.WriteStartArray();
                for (var n = random.Next(0, 5); n > 0; n--) WriteValue(w, random, depth + 1, readableByReference);
                w.WriteEndArray();
                break;
        }
    }

    // Unique within a document: MongoDB.Bson refuses duplicate names.
    private static string Name(Random random, int index) => random.Next(4) == 0 ? "" + index : "k" + Text(random).Replace("\0", "") + "#" + index;

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

    private static double RandomDouble(Random random, bool readableByReference)
    {
        var value = random.Next(4) switch
        {
            0 => BitConverter.Int64BitsToDouble(random.NextInt64()),
            1 => random.Next(-1000, 1000) / 8.0,
            2 => random.NextDouble() * Math.Pow(10, random.Next(-30, 30)),
            _ => new[] { 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, 1e16, 1e-5 }[random.Next(8)],
        };
        // MongoDB.Bson keeps one NaN (payloads are lost) and hands out its cached 0.0 for -0.0.
        if (readableByReference && double.IsNaN(value)) return double.NaN;
        return readableByReference && value == 0 ? 0.0 : value;
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
