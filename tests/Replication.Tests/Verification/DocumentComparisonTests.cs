using MongoDB.Bson;
using Replication.Coordinator.Verification;

namespace Replication.Tests.Verification;

public sealed class DocumentComparisonTests
{
    private static byte[] Bson(BsonDocument document) => document.ToBson();

    private static readonly BsonDocument Item = new()
    {
        { "_id", "k1" }, { "n", 5 }, { "profile", new BsonDocument { { "z", "last" }, { "a", 1 } } }, { "tags", new BsonArray { "a", "b" } },
    };

    [Fact]
    public void Embedded_fields_in_another_order_are_equal_where_order_carries_no_meaning_and_different_where_it_does()
    {
        var reordered = Item.DeepClone().AsBsonDocument;
        reordered["profile"] = new BsonDocument { { "a", 1 }, { "z", "last" } };

        Assert.Null(DocumentComparison.Differences(Bson(Item), Bson(reordered), fieldOrderMatters: false, ignoreTargetId: false));
        Assert.Equal(["profile"], DocumentComparison.Differences(Bson(Item), Bson(reordered), fieldOrderMatters: true, ignoreTargetId: false));
    }

    [Fact]
    public void Names_each_top_level_field_that_differs_is_missing_or_is_extra_and_types_count()
    {
        var target = Item.DeepClone().AsBsonDocument;
        target["n"] = 5L;                   // same number, another BSON type: the converter's choice of type is checked too
        target.Remove("tags");
        target.Add("added", true);

        Assert.Equal(["n", "tags", "added"], DocumentComparison.Differences(Bson(Item), Bson(target), fieldOrderMatters: false, ignoreTargetId: false));
    }

    [Fact]
    public void With_key_fields_the_target_s_own_id_is_not_compared_and_top_level_order_alone_is_reported_as_such()
    {
        var source = new BsonDocument { { "pk", "a" }, { "n", 1 } };
        Assert.Null(DocumentComparison.Differences(Bson(source), Bson(new BsonDocument { { "_id", ObjectId.GenerateNewId() }, { "pk", "a" }, { "n", 1 } }),
            fieldOrderMatters: false, ignoreTargetId: true));
        Assert.Equal(["(field order)"], DocumentComparison.Differences(Bson(source), Bson(new BsonDocument { { "n", 1 }, { "pk", "a" } }),
            fieldOrderMatters: true, ignoreTargetId: false));
    }
}
