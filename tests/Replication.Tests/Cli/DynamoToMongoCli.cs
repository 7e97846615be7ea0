using Replication.Testing.DynamoLocal;
using Replication.Testing.InMemoryMongo.Wire;

namespace Replication.Tests.Cli;

/// <summary>
/// For runs of the real executable that copy from DynamoDB Local to an in-memory MongoDB server of their own: a folder
/// for their configuration files and the server, both gone when the test ends.
/// </summary>
internal sealed class DynamoToMongoCli(DynamoDbLocal dynamo, string name) : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory($"replication-{name}-").FullName;

    public InMemoryMongoServer Mongo { get; } = new();

    /// <summary>
    /// Writes <c>&lt;id&gt;.conf</c>: replication <paramref name="id"/> copies <paramref name="table"/> into
    /// <paramref name="database"/> in mode full; <paramref name="more"/> adds settings inside <c>replication { }</c>.
    /// </summary>
    public string WriteConfig(string id, string table, string database, string more = "")
    {
        var path = Path.Combine(_folder, $"{id}.conf");
        File.WriteAllText(path, $$"""
            replication {
              id = {{id}}
              mode = full
              source.dynamodb {
                endpoint = "{{dynamo.ServiceUrl}}"
                credentials { access-key-id = local, secret-access-key = local }
              }
              target.mongodb { uri = "{{Mongo.ConnectionString}}&serverSelectionTimeoutMS=5000", database = {{database}} }
              filter.include = ["{{table}}"]
              management.http.port = 0
            {{more}}
            }
            """);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await Mongo.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
