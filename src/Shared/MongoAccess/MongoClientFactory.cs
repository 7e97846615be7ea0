using MongoDB.Driver;
using MongoDB.Driver.Core.Events;
using Replication.Cluster;

namespace Replication.MongoAccess;

/// <summary>
/// The one way the product opens a MongoDB deployment: the connection string goes to MongoDB.Driver as given (replica
/// sets, sharded clusters, TLS, auth, <c>mongodb+srv</c>, timeouts). A client is thread-safe; create one per deployment
/// and dispose it last.
/// </summary>
public static class MongoClientFactory
{
    /// <summary>Sent in the handshake (server logs, currentOp) unless the connection string sets <c>appName</c>.</summary>
    public const string ApplicationName = "replication";

    /// <param name="maxPoolSize">Connections per server; null: the connection string's <c>maxPoolSize</c>, else the driver's 100.</param>
    /// <param name="applicationName">The handshake's appName unless the connection string sets one; null: <see cref="ApplicationName"/>.</param>
    /// <exception cref="ArgumentException">The driver does not accept the string; the message never repeats it (it may hold a password).</exception>
    public static IMongoClient Create(string connectionString, int? maxPoolSize = null, string? applicationName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        MongoClientSettings settings;
        try
        {
            settings = MongoClientSettings.FromConnectionString(connectionString);
        }
        catch (Exception e) when (e is MongoConfigurationException or ArgumentException or FormatException)
        {
            // The driver's message names the bad part; the string itself may carry a password, so it is not repeated.
            throw new ArgumentException($"Invalid MongoDB connection string: {e.Message.Replace(connectionString, "(the connection string)", StringComparison.Ordinal)}",
                nameof(connectionString), e);
        }
        if (maxPoolSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(maxPoolSize));
            settings.MaxConnectionPoolSize = size;
        }
        settings.ApplicationName ??= applicationName ?? ApplicationName;
        // A leased unit's write is checked against its lease fence once more as its bytes go out (see LeaseFence).
        settings.ClusterConfigurator = cluster => cluster.Subscribe<ConnectionSendingMessagesEvent>(_ => LeaseFence.CheckBeforeSending());
        return new MongoClient(settings);
    }
}
