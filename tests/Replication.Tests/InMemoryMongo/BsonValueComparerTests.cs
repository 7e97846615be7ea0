using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Tests.InMemoryMongo;

public sealed class BsonValueComparerTests
{
    private static readonly BsonValueComparer Comparer = BsonValueComparer.Instance;

    [Fact]
    public void Types_sort_in_mongodbs_comparison_order()
    {
        BsonValue[] ascending =
        [
            BsonMinKey.Value,
            BsonNull.Value,
            new BsonInt32(-5),
            new BsonString("a"),
            new BsonDocument { { "a", 1 } },
            new BsonArray { 1 },
            new BsonBinaryData([1]),
            new BsonObjectId(ObjectId.Parse("000000000000000000000001")),
            BsonBoolean.False,
            new BsonDateTime(0),
            new BsonTimestamp(1, 1),
            new BsonRegularExpression("a", ""),
            BsonMaxKey.Value,
        ];
        var shuffled = ascending.Reverse().ToList();
        shuffled.Sort(Comparer);
        Assert.Equal(ascending, shuffled);
    }

    [Fact]
    public void Numbers_of_different_types_compare_by_value()
    {
        Assert.Equal(0, Comparer.Compare(new BsonInt32(1), new BsonDouble(1.0)));
        Assert.Equal(0, Comparer.Compare(new BsonInt64(1), new BsonInt32(1)));
        Assert.True(Comparer.Compare(new BsonInt64(2), new BsonDouble(1.5)) > 0);
        Assert.True(Comparer.Compare(new BsonDouble(double.NaN), new BsonInt32(int.MinValue)) < 0);
        Assert.True(Comparer.Compare(new BsonInt64(long.MaxValue), new BsonDouble(9.2233720368547758E18)) < 0);
        // Decimal128 2 (coefficient 2, exponent 0).
        Assert.Equal(0, Comparer.Compare(new BsonDecimal128(Decimal128.FromIEEEBits(0x3040000000000000, 2)), new BsonInt32(2)));
    }

    [Fact]
    public void Strings_and_symbols_compare_as_one_type_by_code_point()
    {
        Assert.Equal(0, Comparer.Compare(new BsonString("abc"), BsonSymbol.Create("abc")));
        Assert.True(Comparer.Compare(new BsonString("B"), new BsonString("a")) < 0);
        // U+FFFF sorts below U+1F600 by code point although its UTF-16 unit is larger.
        Assert.True(Comparer.Compare(new BsonString("\uFFFF"), new BsonString("\U0001F600")) < 0);
    }

    [Fact]
    public void Documents_compare_field_by_field_and_binaries_by_length_first()
    {
        Assert.True(Comparer.Compare(new BsonDocument { { "a", 1 } }, new BsonDocument { { "a", 1 }, { "b", 0 } }) < 0);
        Assert.True(Comparer.Compare(new BsonDocument { { "a", 2 } }, new BsonDocument { { "b", 1 } }) < 0);
        Assert.True(Comparer.Compare(new BsonBinaryData([9]), new BsonBinaryData([0, 0])) < 0);
    }

    [Fact]
    public void Timestamps_compare_unsigned_and_code_with_scope_compares_its_scope()
    {
        // MongoDB.Bson keeps a timestamp as a signed long; seconds past 2^31 must still sort after small ones.
        Assert.True(Comparer.Compare(new BsonTimestamp(1, 0), new BsonTimestamp(unchecked((int)0x80000000), 0)) < 0);
        Assert.True(Comparer.Compare(new BsonTimestamp(5, 1), new BsonTimestamp(5, unchecked((int)0xFFFFFFFF))) < 0);
        // JavaScriptWithScope derives from JavaScript in MongoDB.Bson; it keeps its own rank and compares its scope.
        Assert.True(Comparer.Compare(new BsonJavaScript("f"), new BsonJavaScriptWithScope("f", new BsonDocument())) < 0);
        Assert.True(Comparer.Compare(
            new BsonJavaScriptWithScope("f", new BsonDocument { { "x", 1 } }),
            new BsonJavaScriptWithScope("f", new BsonDocument { { "x", 2 } })) < 0);
    }
}
