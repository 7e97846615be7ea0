using Replication.Configuration;
using Replication.Coordinator.Discovery;

namespace Replication.Tests.Coordinator;

public class TableFilterTests
{
    [Theory]
    [InlineData("*", "Orders", true)]
    [InlineData("Ord*", "Orders", true)]
    [InlineData("*ers", "Orders", true)]
    [InlineData("O*r*s", "Orders", true)]
    [InlineData("o*", "Orders", false)]
    [InlineData("Orders", "Orders", true)]
    [InlineData("Orders", "Orders2", false)]
    [InlineData("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("", "", true)]
    [InlineData("**", "", true)]
    public void Wildcards_match_any_run_of_characters(string pattern, string name, bool expected) =>
        Assert.Equal(expected, Wildcard.Matches(pattern, name));

    [Fact]
    public void Exclude_wins_over_include()
    {
        var filter = new TableFilter(["prod-*", "audit"], ["*-tmp", "audit"]);
        Assert.Equal(["prod-orders"], filter.Apply(["prod-orders", "prod-orders-tmp", "audit", "dev-orders"]));
    }

    [Fact]
    public void Renamed_tables_land_in_the_renamed_collection()
    {
        var naming = new CollectionNaming(new Dictionary<string, string> { ["Orders"] = "orders" });
        Assert.Equal("orders", naming.CollectionFor("Orders"));
        Assert.Equal("Users", naming.CollectionFor("Users"));
    }

    [Fact]
    public void A_table_mongo_cannot_hold_is_named_with_the_fix()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => CollectionNaming.Identity.CollectionFor("system.users"));
        Assert.Contains("table 'system.users'", ex.Message);
        Assert.Contains("replication.transform.rename", ex.Message);

        var renamed = new CollectionNaming(new Dictionary<string, string> { ["Orders"] = "a$b" });
        var ex2 = Assert.Throws<InvalidOperationException>(() => renamed.CollectionFor("Orders"));
        Assert.Contains("maps table 'Orders' to 'a$b'", ex2.Message);
    }
}
