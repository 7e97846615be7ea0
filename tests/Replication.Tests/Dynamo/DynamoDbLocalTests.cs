using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Replication.Testing.DynamoLocal;

namespace Replication.Tests.Dynamo;

[Collection(DynamoDbLocalCollection.Name)]
public sealed class DynamoDbLocalTests(DynamoDbLocalFixture fixture)
{
    [Fact]
    public void The_jar_is_found_under_the_repository_root()
    {
        var (jar, library) = DynamoDbLocal.LocateJar();
        Assert.True(File.Exists(jar));
        Assert.True(Directory.Exists(library));
        Assert.StartsWith(RepositoryRoot.Find(), jar);
        Assert.True(File.Exists(Path.Combine(RepositoryRoot.Find(), "Replication.sln")));
    }

    [Fact]
    public async Task Clients_with_other_credentials_and_regions_see_the_same_tables()
    {
        using var client = fixture.Local.CreateClient();
        var table = await DynamoTestTables.CreateAsync(client, "shared");

        using var other = new AmazonDynamoDBClient(new BasicAWSCredentials("SomeoneElse", "other"),
            new AmazonDynamoDBConfig { ServiceURL = fixture.Local.ServiceUrl.ToString(), AuthenticationRegion = "eu-central-1" });
        var names = await new Replication.Dynamo.Control.DynamoTableCatalog(other).ListTableNamesAsync();

        Assert.Contains(table, names);
    }
}
