using Replication.Bson;
using Replication.Mongo.Native;

namespace Replication.Mongo;

public sealed partial class MongoCollection
{
    /// <summary>findAndModify through <c>mongoc_collection_find_and_modify_with_opts</c> (retryable like any single write).</summary>
    public Task<FindAndModifyResult> FindAndModifyAsync(FindAndModifyRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Remove == (request.Update is not null))
            throw new ArgumentException("A findAndModify needs exactly one of Update and Remove.", nameof(request));
        var filter = request.Filter.ToBytes();
        var update = request.Update?.ToBytes();
        var sort = request.Sort?.ToBytes();
        var fields = request.Projection?.ToBytes();
        var extra = request.Extra?.ToBytes();
        var flags = (request.Remove ? LibMongoc.FindAndModifyRemove : 0)
            | (request.Upsert ? LibMongoc.FindAndModifyUpsert : 0)
            | (request.ReturnNew ? LibMongoc.FindAndModifyReturnNew : 0);
        return RunAsync(collection => FindAndModify(collection, filter, update, sort, fields, extra, flags), cancellationToken);
    }

    private unsafe FindAndModifyResult FindAndModify(CollectionHandle collection, byte[] filter, byte[]? update, byte[]? sort, byte[]? fields, byte[]? extra, int flags)
    {
        using var opts = FindAndModifyOptionsHandle.Create();
        using var query = OwnedBsonHandle.Copy(filter);
        using var updateBson = OwnedBsonHandle.CopyOrNull(update);
        using var sortBson = OwnedBsonHandle.CopyOrNull(sort);
        using var fieldsBson = OwnedBsonHandle.CopyOrNull(fields);
        using var extraBson = OwnedBsonHandle.CopyOrNull(extra);
        if (updateBson is not null) LibMongoc.mongoc_find_and_modify_opts_set_update(opts.Pointer, updateBson.Pointer);
        if (sortBson is not null) LibMongoc.mongoc_find_and_modify_opts_set_sort(opts.Pointer, sortBson.Pointer);
        if (fieldsBson is not null) LibMongoc.mongoc_find_and_modify_opts_set_fields(opts.Pointer, fieldsBson.Pointer);
        if (extraBson is not null) LibMongoc.mongoc_find_and_modify_opts_append(opts.Pointer, extraBson.Pointer);
        LibMongoc.mongoc_find_and_modify_opts_set_flags(opts.Pointer, flags);
        using var reply = BsonStorageHandle.Allocate();
        BsonError error;
        var ok = LibMongoc.mongoc_collection_find_and_modify_with_opts(collection.Pointer, query.Pointer, opts.Pointer, reply.Pointer, &error);
        var bytes = reply.ToArray();
        if (!ok) throw MongoErrorTranslator.Translate(error, bytes, $"findAndModify on '{Namespace}'");
        var document = BsonDocument.Parse(bytes);
        return new FindAndModifyResult(document["value"] as BsonDocument, document);
    }
}
