using Replication.Bson;
using Replication.Mongo.Native;

namespace Replication.Mongo;

/// <summary>Turns a failed libmongoc call (its <c>bson_error_t</c> and reply) into the exception callers act on.</summary>
internal static class MongoErrorTranslator
{
    public static MongoException Translate(in BsonError error, ReadOnlySpan<byte> reply, string operation)
    {
        var labels = ReadLabels(reply);
        var message = $"{operation} failed: {error.Message}";
        if (error.Domain is MongocErrorDomain.Stream or MongocErrorDomain.ServerSelection
            || (error.Domain == MongocErrorDomain.Protocol && reply.Length <= 5))
            return new MongoConnectionException(message, (int)error.Domain, (int)error.Code, labels);

        var codeName = ReadCodeName(reply);
        var bytes = reply.ToArray();
        var code = (int)error.Code;
        if (error.Domain is MongocErrorDomain.Server or MongocErrorDomain.Query && MongoException.IsDuplicateKeyCode(code))
            return new MongoDuplicateKeyException(message, (int)error.Domain, code, codeName, labels, bytes);
        return new MongoCommandException(message, (int)error.Domain, code, codeName, labels, bytes);
    }

    internal static IReadOnlyList<string> ReadLabels(ReadOnlySpan<byte> reply)
    {
        if (reply.Length <= 5) return [];
        var reader = new BsonDocumentReader(reply);
        if (!reader.TryGetElement("errorLabels", out var element) || element.Type != BsonType.Array) return [];
        var labels = new List<string>();
        foreach (var label in element.AsArray)
            if (label.Type == BsonType.String) labels.Add(label.AsString);
        return labels;
    }

    private static string? ReadCodeName(ReadOnlySpan<byte> reply)
    {
        if (reply.Length <= 5) return null;
        var reader = new BsonDocumentReader(reply);
        return reader.TryGetElement("codeName", out var element) && element.Type == BsonType.String ? element.AsString : null;
    }
}
