using Replication.Coordinator.Discovery;

namespace Replication.Tests.Verification;

public sealed class NamespaceSelectionTests
{
    private static readonly NamespaceSelection Selection = new(["shop", "crm.customers", "logs*.events"], ["shop.tmp*"],
        new Dictionary<string, string> { ["shop"] = "shop_copy", ["shop.orders"] = "archive.orders2" });

    [Theory]
    [InlineData("shop", "orders", true)]            // a database pattern selects its collections
    [InlineData("shop", "tmp_1", false)]            // exclude wins
    [InlineData("crm", "customers", true)]
    [InlineData("crm", "leads", false)]
    [InlineData("logs2024", "events", true)]
    [InlineData("shop", "system.views", false)]     // system collections never
    [InlineData("admin", "users", false)]
    [InlineData("logs", "x.events", false)]         // the first dot separates database and collection
    public void Includes_database_and_namespace_patterns_minus_excludes_and_system_namespaces(string database, string collection, bool expected) =>
        Assert.Equal(expected, Selection.Includes(new MongoNamespace(database, collection)));

    [Fact]
    public void A_system_database_is_never_selected_even_by_a_wildcard() =>
        Assert.False(new NamespaceSelection(["*"], [], new Dictionary<string, string>()).Includes(new MongoNamespace("config", "chunks")));

    [Fact]
    public void A_collection_rename_wins_over_its_database_rename_and_other_names_stay()
    {
        Assert.Equal(new MongoNamespace("archive", "orders2"), Selection.TargetFor(new MongoNamespace("shop", "orders")));
        Assert.Equal(new MongoNamespace("shop_copy", "items"), Selection.TargetFor(new MongoNamespace("shop", "items")));
        Assert.Equal(new MongoNamespace("crm", "customers"), Selection.TargetFor(new MongoNamespace("crm", "customers")));
    }

    [Fact]
    public void A_collection_rename_without_a_database_keeps_the_source_database_or_its_rename()
    {
        var map = new NamespaceSelection(["*"], [], new Dictionary<string, string> { ["shop"] = "shop_copy", ["shop.orders"] = "orders_v2" });
        Assert.Equal(new MongoNamespace("shop_copy", "orders_v2"), map.TargetFor(new MongoNamespace("shop", "orders")));
    }

    [Fact]
    public void Only_databases_that_an_include_pattern_can_match_and_no_database_exclude_removes_are_worth_listing()
    {
        Assert.True(Selection.MayInclude("crm"));
        Assert.True(Selection.MayInclude("logs7"));
        Assert.False(Selection.MayInclude("other"));
        Assert.False(new NamespaceSelection(["*"], ["tmp*"], new Dictionary<string, string>()).MayInclude("tmp1"));
        Assert.False(new NamespaceSelection(["*"], [], new Dictionary<string, string>()).MayInclude("local"));
    }
}
