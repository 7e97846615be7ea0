using Replication.Bson;
using Replication.Dynamo.Conversion;
using static Replication.Tests.Dynamo.ConversionHarness;

namespace Replication.Tests.Dynamo;

public class SetConversionTests
{
    [Theory]
    [InlineData(ConvertMode.Typed)]
    [InlineData(ConvertMode.Raw)]
    [InlineData(ConvertMode.Double)]
    public void A_set_becomes_the_same_array_whatever_order_dynamodb_lists_it_in(ConvertMode mode)
    {
        var a = Convert("""{"id":{"S":"k"},"ss":{"SS":["b","a\u0063","a"]},"ns":{"NS":["10","9"]},"bs":{"BS":["Ag==","AQ=="]}}""", mode);
        var b = Convert("""{"id":{"S":"k"},"ss":{"SS":["a","b","ac"]},"ns":{"NS":["9","10"]},"bs":{"BS":["AQ==","Ag=="]}}""", mode);

        Assert.Equal(a, b);
        if (mode != ConvertMode.Raw) Assert.Equal(new BsonArray { "a", "ac", "b" }, a["ss"]);
    }
}
