using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Errors;

/// <summary>
/// A command or write error as MongoDB reports it. The engine turns it into <c>{ok: 0, errmsg, code, codeName}</c>
/// (or a writeErrors entry); <see cref="ExtraInfo"/> carries fields such as keyPattern/keyValue that the server adds.
/// </summary>
public sealed class MongoCommandException(MongoErrorCode code, string message, BsonDocument? extraInfo = null)
    : Exception(message)
{
    public MongoErrorCode Code { get; } = code;
    public BsonDocument? ExtraInfo { get; } = extraInfo;

    /// <summary>
    /// The errorLabels MongoDB attaches, which drivers act on: a change stream must not try to resume after
    /// ChangeStreamHistoryLost, so the server labels it NonResumableChangeStreamError.
    /// </summary>
    public IReadOnlyList<string> ErrorLabels => Code switch
    {
        MongoErrorCode.ChangeStreamHistoryLost => ["NonResumableChangeStreamError"],
        _ => [],
    };

    /// <summary>MongoDB's codeName; codes without a name of their own are reported as "Location&lt;code&gt;".</summary>
    public string CodeName => Code switch
    {
        MongoErrorCode.Location10334 => "BSONObjectTooLarge",
        _ when !Enum.IsDefined(Code) => $"Location{(int)Code}",
        _ => Code.ToString(),
    };

    public static MongoCommandException BadValue(string message) => new(MongoErrorCode.BadValue, message);
    public static MongoCommandException FailedToParse(string message) => new(MongoErrorCode.FailedToParse, message);
    public static MongoCommandException TypeMismatch(string message) => new(MongoErrorCode.TypeMismatch, message);
}
