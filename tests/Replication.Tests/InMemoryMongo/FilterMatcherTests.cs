using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Tests.InMemoryMongo;

public sealed class FilterMatcherTests
{
    private static bool Matches(BsonDocument filter, BsonDocument doc) => FilterMatcher.Compile(filter).Matches(doc);

    private static BsonDocument Op(string op, BsonValue v) => new() { { op, v } };

    [Fact]
    public void Equality_on_an_array_field_matches_an_element_or_the_whole_array()
    {
        var doc = new BsonDocument { { "tags", new BsonArray { "a", "b" } } };
        Assert.True(Matches(new BsonDocument { { "tags", "b" } }, doc));
        Assert.True(Matches(new BsonDocument { { "tags", new BsonArray { "a", "b" } } }, doc));
        Assert.False(Matches(new BsonDocument { { "tags", new BsonArray { "b", "a" } } }, doc));
        Assert.False(Matches(new BsonDocument { { "tags", "c" } }, doc));
    }

    [Fact]
    public void Dotted_paths_reach_into_embedded_documents_and_arrays_of_documents()
    {
        var doc = new BsonDocument
        {
            { "a", new BsonDocument { { "b", 5 } } },
            { "items", new BsonArray { new BsonDocument { { "sku", "x" } }, new BsonDocument { { "sku", "y" } } } },
        };
        Assert.True(Matches(new BsonDocument { { "a.b", 5 } }, doc));
        Assert.True(Matches(new BsonDocument { { "items.sku", "y" } }, doc));
        Assert.True(Matches(new BsonDocument { { "items.1.sku", "y" } }, doc));
        Assert.False(Matches(new BsonDocument { { "items.0.sku", "y" } }, doc));
    }

    [Fact]
    public void Null_matches_null_and_missing_fields()
    {
        Assert.True(Matches(new BsonDocument { { "x", BsonNull.Value } }, new BsonDocument { { "a", 1 } }));
        Assert.True(Matches(new BsonDocument { { "x", BsonNull.Value } }, new BsonDocument { { "x", BsonNull.Value } }));
        Assert.False(Matches(new BsonDocument { { "x", BsonNull.Value } }, new BsonDocument { { "x", 0 } }));
    }

    [Fact]
    public void Comparisons_are_type_bracketed_and_numbers_compare_across_types()
    {
        Assert.True(Matches(new BsonDocument { { "n", Op("$gt", 1) } }, new BsonDocument { { "n", 1.5 } }));
        Assert.True(Matches(new BsonDocument { { "n", Op("$lte", 2L) } }, new BsonDocument { { "n", 2 } }));
        Assert.False(Matches(new BsonDocument { { "n", Op("$gt", 1) } }, new BsonDocument { { "n", "zzz" } }));
        Assert.True(Matches(new BsonDocument { { "n", Op("$lt", 3) } }, new BsonDocument { { "n", new BsonArray { 9, 2 } } }));
    }

    [Fact]
    public void Set_membership_existence_and_negation()
    {
        var doc = new BsonDocument { { "a", 2 }, { "s", "x" } };
        Assert.True(Matches(new BsonDocument { { "a", Op("$in", new BsonArray { 1, 2 }) } }, doc));
        Assert.False(Matches(new BsonDocument { { "a", Op("$nin", new BsonArray { 1, 2 }) } }, doc));
        Assert.True(Matches(new BsonDocument { { "a", Op("$ne", 3) } }, doc));
        Assert.True(Matches(new BsonDocument { { "missing", Op("$ne", 3) } }, doc));
        Assert.True(Matches(new BsonDocument { { "a", Op("$exists", true) } }, doc));
        Assert.True(Matches(new BsonDocument { { "b", Op("$exists", false) } }, doc));
        Assert.True(Matches(new BsonDocument { { "a", Op("$not", Op("$gt", 5)) } }, doc));
        Assert.True(Matches(new BsonDocument { { "s", Op("$type", "string") } }, doc));
        Assert.True(Matches(new BsonDocument { { "a", Op("$type", "number") } }, doc));
    }

    [Fact]
    public void Logical_operators_combine_clauses()
    {
        var doc = new BsonDocument { { "a", 1 }, { "b", 2 } };
        Assert.True(Matches(Op("$or", new BsonArray { new BsonDocument { { "a", 9 } }, new BsonDocument { { "b", 2 } } }), doc));
        Assert.False(Matches(Op("$and", new BsonArray { new BsonDocument { { "a", 1 } }, new BsonDocument { { "b", 9 } } }), doc));
        Assert.True(Matches(Op("$nor", new BsonArray { new BsonDocument { { "a", 9 } } }), doc));
    }

    [Fact]
    public void An_unknown_operator_is_BadValue()
    {
        var e = Assert.Throws<Replication.Testing.InMemoryMongo.Engine.Errors.MongoCommandException>(
            () => FilterMatcher.Compile(new BsonDocument { { "a", Op("$frob", 1) } }));
        Assert.Equal(2, (int)e.Code);
    }
}
