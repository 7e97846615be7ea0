using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;
using Replication.Testing.InMemoryMongo.Engine.Query;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>One command being run: its document (with document sequences merged in), target database and caller.</summary>
public sealed class CommandInvocation(BsonDocument command, string database, CommandContext context, MongoInstance instance)
{
    public BsonDocument Command { get; } = command;
    public string Database { get; } = database;
    public CommandContext Context { get; } = context;
    public MongoInstance Instance { get; } = instance;

    public string Name => Command.GetElement(0).Name;
    public BsonValue Argument => Command.GetElement(0).Value;

    /// <summary>The collection named by the command's first field, as CRUD commands take it.</summary>
    public string CollectionName => Argument is BsonString { Value.Length: > 0 } s
        ? s.Value
        : throw new MongoCommandException(MongoErrorCode.InvalidNamespace,
            $"collection name has invalid type {TypeName(Argument)}");

    public BsonDocument? Document(string name) => Command.GetOrNull(name) switch
    {
        null or BsonNull => null,
        BsonDocument d => d,
        var other => throw MongoCommandException.TypeMismatch($"BSON field '{Name}.{name}' is the wrong type '{TypeName(other)}', expected type 'object'"),
    };

    public BsonArray? Array(string name) => Command.GetOrNull(name) switch
    {
        null => null,
        BsonArray a => a,
        var other => throw MongoCommandException.TypeMismatch($"BSON field '{Name}.{name}' is the wrong type '{TypeName(other)}', expected type 'array'"),
    };

    public long? Int64(string name) => Command.GetOrNull(name) switch
    {
        null or BsonNull => null,
        var v when Numbers.TryGetInt64(v, out var n) => n,
        var other => throw MongoCommandException.TypeMismatch($"BSON field '{Name}.{name}' is the wrong type '{TypeName(other)}', expected a number"),
    };

    public bool Flag(string name, bool defaultValue = false) => Command.GetOrNull(name) is { } v ? FilterMatcher.IsTruthy(v) : defaultValue;

    public string? String(string name) => Command.GetOrNull(name) switch
    {
        null or BsonNull => null,
        BsonString s => s.Value,
        var other => throw MongoCommandException.TypeMismatch($"BSON field '{Name}.{name}' is the wrong type '{TypeName(other)}', expected type 'string'"),
    };

    public static string TypeName(BsonValue v) => v.BsonType switch
    {
        BsonType.Int32 => "int",
        BsonType.Int64 => "long",
        BsonType.Double => "double",
        BsonType.Decimal128 => "decimal",
        BsonType.Document => "object",
        BsonType.Boolean => "bool",
        BsonType.ObjectId => "objectId",
        BsonType.DateTime => "date",
        BsonType.Binary => "binData",
        BsonType.RegularExpression => "regex",
        _ => v.BsonType.ToString().ToLowerInvariant(),
    };
}
