using MongoDB.Bson;

namespace Replication.Mongo;

/// <summary>The server answered a command with <c>ok: 0</c> (or the driver refused it); <see cref="Reply"/> is the raw reply.</summary>
public class MongoCommandException : MongoException
{
    private BsonDocument? _replyDocument;

    public MongoCommandException(string message, int code, string? codeName, IReadOnlyList<string> errorLabels, byte[] reply, Exception? innerException = null)
        : base(message, code, codeName, errorLabels, innerException) => Reply = reply;

    public byte[] Reply { get; }

    public BsonDocument ReplyDocument => _replyDocument ??= Reply.Length == 0 ? new BsonDocument() : RawDocuments.Parse(Reply);
}

/// <summary>A single-document write (findAndModify, a command) violated a unique index: code 11000.</summary>
public sealed class MongoDuplicateKeyException(string message, int code, string? codeName, IReadOnlyList<string> errorLabels, byte[] reply, Exception? innerException)
    : MongoCommandException(message, code, codeName, errorLabels, reply, innerException);
