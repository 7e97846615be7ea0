using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>getParameter: answers the few parameters drivers and tools ask about; others are absent, as for unknown names.</summary>
public sealed class GetParameterCommand : IMongoCommand
{
    private static readonly Dictionary<string, BsonValue> Parameters = new(StringComparer.Ordinal)
    {
        ["featureCompatibilityVersion"] = new BsonDocument { { "version", "6.0" } },
        ["maxBSONDepth"] = 100,
        ["logLevel"] = 0,
        ["transactionLifetimeLimitSeconds"] = 60,
    };

    public IReadOnlyList<string> Names { get; } = ["getParameter"];

    public BsonDocument Execute(CommandInvocation invocation)
    {
        var reply = new BsonDocument();
        var all = invocation.Argument is BsonString { Value: "*" } || invocation.Argument is BsonDocument d && d.GetOrNull("allParameters") is { } a && Query.FilterMatcher.IsTruthy(a);
        foreach (var (name, value) in Parameters)
            if (all || invocation.Command.Contains(name)) reply.Add(name, value);
        return reply;
    }
}
