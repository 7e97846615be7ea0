using System.Collections.Concurrent;
using Replication.Testing.InMemoryMongo.Engine.ChangeStreams;

namespace Replication.Testing.InMemoryMongo.Engine.Storage;

/// <summary>All databases of the server. Databases are created on first use and never removed (see <see cref="Database"/>).</summary>
public sealed class Catalog(ChangeLog log)
{
    private readonly ConcurrentDictionary<string, Database> _databases = new(StringComparer.Ordinal);

    public Database Get(string name)
    {
        if (_databases.TryGetValue(name, out var db)) return db;
        CollectionName.ValidateDatabase(name);
        return _databases.GetOrAdd(name, n => new Database(n, log));
    }

    public Database? Find(string name) => _databases.GetValueOrDefault(name);

    public IEnumerable<Database> Databases => _databases.Values.OrderBy(d => d.Name, StringComparer.Ordinal);
}
