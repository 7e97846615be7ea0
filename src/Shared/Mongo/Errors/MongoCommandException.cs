using Replication.Bson;

namespace Replication.Mongo;

/// <summary>The server answered a command with <c>ok: 0</c> (or libmongoc refused it); <see cref="Reply"/> is the raw reply.</summary>
public class MongoCommandException : MongoException
{
    private BsonDocument? _replyDocument;

    public MongoCommandException(string message, int errorDomain, int code, string? codeName, IReadOnlyList<string> errorLabels, byte[] reply)
        : base(message, errorDomain, code, codeName, errorLabels) => Reply = reply;

    public byte[] Reply { get; }

    public BsonDocument ReplyDocument => _replyDocument ??= Reply.Length == 0 ? new BsonDocument() : BsonDocument.Parse(Reply);
}

/// <summary>A single-document write (findAndModify, a command) violated a unique index: code 11000.</summary>
public sealed class MongoDuplicateKeyException(string message, int errorDomain, int code, string? codeName, IReadOnlyList<string> errorLabels, byte[] reply)
    : MongoCommandException(message, errorDomain, code, codeName, errorLabels, reply);
