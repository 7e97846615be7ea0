using System.Net;
using Replication.Testing.InMemoryMongo.Engine;

namespace Replication.Testing.InMemoryMongo.Wire;

public sealed record InMemoryMongoServerOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Engine settings; <c>HostAndPort</c> is replaced by the address actually bound.</summary>
    public MongoEngineOptions Engine { get; init; } = new();
}
