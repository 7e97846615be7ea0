namespace Replication.Testing.InMemoryMongo.Engine;

/// <summary>Who is calling: the wire connection's id (reported by hello as <c>connectionId</c>) and its peer address.</summary>
public sealed record CommandContext(long ConnectionId, string ClientAddress);
