using MongoDB.Bson;
using Replication.Testing;

namespace Replication.Tests;

/// <summary>
/// Equality of BSON values as the bytes have it: same types and same encoded values (-0.0 is not 0.0, Decimal128
/// keeps its digits as written), which MongoDB.Bson's Equals does not promise. Failures show both as Extended JSON.
/// </summary>
internal static class BsonAssert
{
    public static void Equal(BsonValue expected, BsonValue actual) => Assert.Equal(BsonBytes.ExactText(expected), BsonBytes.ExactText(actual));

    public static void Equal(IEnumerable<BsonValue> expected, IEnumerable<BsonValue> actual) =>
        Assert.Equal(expected.Select(BsonBytes.ExactText), actual.Select(BsonBytes.ExactText));
}
