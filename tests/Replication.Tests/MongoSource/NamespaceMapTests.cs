using MongoDB.Driver;
using Replication.Configuration;
using Replication.ShardActors.MongoSource;

namespace Replication.Tests.MongoSource;

public sealed class NamespaceMapTests
{
    private static NamespaceMap Map(string[] include, string[] exclude, Dictionary<string, string>? renames = null) =>
        new(include, exclude, renames ?? []);

    [Fact]
    public void Database_and_namespace_patterns_select_collections_and_exclude_wins()
    {
        var map = Map(["shop", "crm.cust*"], ["shop.audit*"]);
        Assert.True(map.Includes("shop", "orders"));
        Assert.False(map.Includes("shop", "audit_2026"));
        Assert.True(map.Includes("crm", "customers"));
        Assert.False(map.Includes("crm", "leads"));
        Assert.False(map.Includes("other", "orders"));
        Assert.True(map.MayInclude("crm"));
        Assert.False(map.MayInclude("other"));
    }

    [Fact]
    public void System_databases_and_system_collections_are_never_selected()
    {
        var map = Map(["*"], []);
        Assert.False(map.Includes("admin", "users"));
        Assert.False(map.Includes("local", "oplog.rs"));
        Assert.False(map.Includes("config", "chunks"));
        Assert.False(map.Includes("shop", "system.views"));
        Assert.False(map.MayInclude("admin"));
        Assert.True(map.Includes("shop", "orders"));
    }

    [Fact]
    public void A_namespace_rename_wins_over_its_database_rename()
    {
        var map = Map(["*"], [], new() { ["shop"] = "shop2", ["shop.customers"] = "crm.clients", ["shop.items"] = "products" });
        Assert.Equal("shop2.orders", map.Target(new CollectionNamespace("shop", "orders")).FullName);
        Assert.Equal("crm.clients", map.Target(new CollectionNamespace("shop", "customers")).FullName);
        Assert.Equal("shop2.products", map.Target(new CollectionNamespace("shop", "items")).FullName);
        Assert.Equal("other.x", map.Target(new CollectionNamespace("other", "x")).FullName);
    }

    [Theory]
    [InlineData("logs2024", "events", true)]       // wildcards in the database part of a namespace pattern
    [InlineData("logs", "x.events", false)]        // the first dot separates database and collection
    [InlineData("shop", "tmp_1", false)]           // exclude wins over a database include
    public void A_namespace_pattern_splits_at_its_first_dot(string database, string collection, bool expected) =>
        Assert.Equal(expected, Map(["shop", "logs*.events"], ["shop.tmp*"]).Includes(database, collection));

    [Fact]
    public void A_collection_rename_without_a_database_keeps_the_renamed_database_and_a_database_exclude_is_not_listed()
    {
        var map = Map(["*"], ["tmp*"], new() { ["shop"] = "shop_copy", ["shop.orders"] = "orders_v2" });
        Assert.Equal("shop_copy.orders_v2", map.Target(new CollectionNamespace("shop", "orders")).FullName);
        Assert.False(map.MayInclude("tmp1"));
        Assert.False(map.MayInclude("local"));
        Assert.True(map.MayInclude("shop"));
    }

    [Fact]
    public void MongoDB_source_keys_are_read_and_a_bad_value_names_its_key()
    {
        var settings = ReplicationConfiguration.Load(null,
        [
            "replication.source.type=mongodb", "replication.source.mongodb.uri=\"mongodb://h/\"", "replication.source.mongodb.updates=operator",
            "replication.source.mongodb.change-stream=database", "replication.source.mongodb.ddl=report", "replication.source.mongodb.indexes=before",
            "replication.source.mongodb.copiers=8",
        ], new Dictionary<string, string>()).Settings;
        Assert.Equal(new MongoSourceSettings(ChangeStreamLevel.Database, UpdateApplication.Operator, DdlPolicy.Report, IndexBuild.Before, 8, 100_000, 1000),
            settings.MongoSource);

        var e = Assert.Throws<ConfigurationException>(() => ReplicationConfiguration.Load(null,
            ["replication.source.type=mongodb", "replication.source.mongodb.uri=\"mongodb://h/\"", "replication.source.mongodb.updates=patch"],
            new Dictionary<string, string>()));
        Assert.Contains(e.Problems, p => p.Contains("replication.source.mongodb.updates") && p.Contains("full-document") || p.Contains("fulldocument"));
    }
}
