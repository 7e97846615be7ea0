using MongoDB.Bson;
using Replication.Testing.Comparison;

namespace Replication.Tests.Comparison;

public sealed class ReplicaDifferenceTests
{
    private static Dictionary<string, BsonDocument> Keyed(params BsonDocument[] documents) => documents.ToDictionary(ReplicaDifference.IdOf);

    private static BsonDocument Item(string id, BsonValue map) => new() { { "_id", id }, { "pk", id }, { "map", map } };

    [Fact]
    public void Maps_with_the_same_fields_in_another_order_match()
    {
        var source = Keyed(Item("a", new BsonDocument { { "x", 1 }, { "y", new BsonDocument { { "p", "q" }, { "r", 2L } } } }));
        var target = Keyed(new BsonDocument
        {
            { "map", new BsonDocument { { "y", new BsonDocument { { "r", 2L }, { "p", "q" } } }, { "x", 1 } } },
            { "pk", "a" },
            { "_id", "a" },
        });

        var difference = ReplicaDifference.Between(source, target);

        Assert.True(difference.IsMatch, difference.ToString());
        Assert.Equal("1 source and 1 target documents match", difference.ToString());
    }

    [Fact]
    public void Missing_extra_and_changed_documents_are_named_by_id()
    {
        var source = Keyed(Item("same", 1), Item("gone", 2), Item("changed", new BsonArray { 1, 2 }));
        var target = Keyed(Item("same", 1), Item("changed", new BsonArray { 2, 1 }), Item("stray", 3));

        var difference = ReplicaDifference.Between(source, target);

        Assert.False(difference.IsMatch);
        Assert.Equal(["{\"_id\":\"gone\"}"], difference.Missing.Select(Compact));
        Assert.Equal(["{\"_id\":\"stray\"}"], difference.Extra.Select(Compact));
        Assert.Equal(["{\"_id\":\"changed\"}"], difference.Changed.Select(Compact)); // list order is significant
        var text = difference.ToString();
        Assert.Contains("3 source vs 3 target documents", text);
        Assert.Contains("missing 1", text);
        Assert.Contains("gone", text);
        Assert.Contains("stray", text);
        Assert.Contains("source {", text);
    }

    [Fact]
    public void A_value_of_another_BSON_type_is_a_difference()
    {
        var difference = ReplicaDifference.Between(Keyed(Item("n", 5)), Keyed(Item("n", 5L)));

        Assert.Single(difference.Changed);
    }

    [Fact]
    public void Composite_ids_key_the_same_document_whatever_their_field_order()
    {
        var id = new BsonDocument { { "customer", "c1" }, { "order", "o1" } };
        var text = ReplicaDifference.IdOf(new BsonDocument { { "_id", id }, { "total", 3 } });

        Assert.Equal("{\"_id\":{\"customer\":\"c1\",\"order\":\"o1\"}}", Compact(text));
        Assert.Throws<ArgumentException>(() => ReplicaDifference.IdOf(new BsonDocument { { "total", 3 } }));
    }

    private static string Compact(string json) => json.Replace(" ", "");
}
