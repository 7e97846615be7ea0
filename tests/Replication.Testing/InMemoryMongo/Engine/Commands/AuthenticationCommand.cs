using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>
/// saslStart / authenticate: the in-memory server has no users, so every credential is refused the way mongod refuses
/// an unknown user — AuthenticationFailed, without saying which part was wrong. Clients without credentials never ask.
/// </summary>
public sealed class AuthenticationCommand : IMongoCommand
{
    public IReadOnlyList<string> Names { get; } = ["saslStart", "saslContinue", "authenticate"];

    public BsonDocument Execute(CommandInvocation invocation) =>
        throw new MongoCommandException(MongoErrorCode.AuthenticationFailed, "Authentication failed.");
}
