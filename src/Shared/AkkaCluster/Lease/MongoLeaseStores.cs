using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using MongoDB.Bson;
using MongoDB.Driver;
using Replication.MongoAccess;

namespace Replication.AkkaCluster.Lease;

/// <summary>
/// One <see cref="MongoLeaseStore"/> (and one client) per lease configuration in an actor system, shared by all its
/// leases; when the system terminates, every lease stops renewing and the clients close.
/// </summary>
public sealed class MongoLeaseStores : IExtension
{
    private readonly ConcurrentDictionary<(string Uri, string Database, string Collection), Lazy<MongoLeaseStore>> _stores = new();
    private readonly ConcurrentBag<IMongoClient> _clients = [];
    private readonly ConcurrentDictionary<string, MongoLease> _leases = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    private MongoLeaseStores(ActorSystem system) =>
        system.RegisterOnTermination(() =>
        {
            _stopping.Cancel();
            foreach (var client in _clients) client.Dispose();
        });

    /// <summary>Cancelled when the actor system terminates: a stopped node must not keep its leases alive.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public static MongoLeaseStores Get(ActorSystem system) => system.WithExtension<MongoLeaseStores, Provider>();

    /// <summary>The store named by a lease section's <c>uri</c>, <c>database</c> and <c>collection</c>.</summary>
    public MongoLeaseStore For(Config leaseConfig)
    {
        var key = (Required(leaseConfig, "uri"), Required(leaseConfig, "database"), Required(leaseConfig, "collection"));
        return _stores.GetOrAdd(key, k => new Lazy<MongoLeaseStore>(() =>
        {
            var client = MongoClientFactory.Create(k.Uri);
            _clients.Add(client);
            return new MongoLeaseStore(client.GetDatabase(k.Database).GetCollection<BsonDocument>(k.Collection));
        })).Value;
    }

    /// <summary>Called by each lease Akka creates, so <see cref="Holds"/> can answer for it.</summary>
    internal void Register(MongoLease lease) => _leases[lease.Settings.LeaseName] = lease;

    /// <summary>
    /// Whether this node holds the lease named <paramref name="leaseName"/> right now (within its validity on this node's
    /// monotonic clock): for writes made outside the lease's owner, e.g. the coordinator singleton's children.
    /// </summary>
    public bool Holds(string leaseName) => _leases.TryGetValue(leaseName, out var lease) && lease.CheckLease();

    private static string Required(Config config, string key) =>
        config.GetString(key, "") is { Length: > 0 } value
            ? value
            : throw new ConfigurationException($"{MongoLease.ConfigPath}.{key} is empty: the MongoDB lease needs the checkpoint database's {key}");

    private sealed class Provider : ExtensionIdProvider<MongoLeaseStores>
    {
        public override MongoLeaseStores CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
