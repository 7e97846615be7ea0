using Replication.Bson;
using Replication.Mongo.Native;

namespace Replication.Mongo;

/// <summary>Builds a <c>mongoc_bulk_operation_t</c> from write models, executes it and reads the reply back.</summary>
internal static unsafe class BulkWriteExecution
{
    private static readonly byte[] NoValidation = new BsonDocument { { "validate", false } }.ToBytes();
    private static readonly byte[] Upsert = new BsonDocument { { "upsert", true } }.ToBytes();
    private static readonly byte[] UpsertNoValidation = new BsonDocument { { "upsert", true }, { "validate", false } }.ToBytes();
    private static readonly byte[] NoUpsert = new BsonDocument { { "upsert", false } }.ToBytes();
    private static readonly byte[] NoUpsertNoValidation = new BsonDocument { { "upsert", false }, { "validate", false } }.ToBytes();

    public static BulkWriteResult Execute(CollectionHandle collection, IReadOnlyList<WriteModel> requests, BulkWriteOptions options,
        byte[] bulkOptions, string ns)
    {
        using var opts = OwnedBsonHandle.Copy(bulkOptions);
        using var bulk = new BulkOperationHandle(
            LibMongoc.mongoc_collection_create_bulk_operation_with_opts(collection.Pointer, opts.Pointer), collection);
        using var insertOpts = OwnedBsonHandle.Copy(options.ValidateDocuments ? [5, 0, 0, 0, 0] : NoValidation);
        using var upsertOpts = OwnedBsonHandle.Copy(options.ValidateDocuments ? Upsert : UpsertNoValidation);
        using var plainOpts = OwnedBsonHandle.Copy(options.ValidateDocuments ? NoUpsert : NoUpsertNoValidation);
        using var upsertUpdateOpts = OwnedBsonHandle.Copy(Upsert);
        using var plainUpdateOpts = OwnedBsonHandle.Copy(NoUpsert);
        using var documentView = BsonStorageHandle.Allocate();
        using var filterView = BsonStorageHandle.Allocate();

        var sent = new List<int>(requests.Count);
        var rejected = new List<BulkWriteError>();
        for (var i = 0; i < requests.Count; i++)
        {
            BsonError error;
            bool appended;
            switch (requests[i])
            {
                case InsertOneModel insert:
                    fixed (byte* doc = insert.Document.Span)
                    {
                        documentView.ViewStatic(doc, insert.Document.Length);
                        appended = LibMongoc.mongoc_bulk_operation_insert_with_opts(bulk.Pointer, documentView.Pointer, insertOpts.Pointer, &error);
                    }
                    break;
                case ReplaceOneModel replace:
                    fixed (byte* filter = replace.Filter.Span)
                    fixed (byte* doc = replace.Replacement.Span)
                    {
                        filterView.ViewStatic(filter, replace.Filter.Length);
                        documentView.ViewStatic(doc, replace.Replacement.Length);
                        appended = LibMongoc.mongoc_bulk_operation_replace_one_with_opts(bulk.Pointer, filterView.Pointer, documentView.Pointer,
                            (replace.IsUpsert ? upsertOpts : plainOpts).Pointer, &error);
                    }
                    break;
                case UpdateOneModel update:
                    fixed (byte* filter = update.Filter.Span)
                    fixed (byte* doc = update.Update.Span)
                    {
                        filterView.ViewStatic(filter, update.Filter.Length);
                        documentView.ViewStatic(doc, update.Update.Length);
                        appended = LibMongoc.mongoc_bulk_operation_update_one_with_opts(bulk.Pointer, filterView.Pointer, documentView.Pointer,
                            (update.IsUpsert ? upsertUpdateOpts : plainUpdateOpts).Pointer, &error);
                    }
                    break;
                case DeleteOneModel delete:
                    fixed (byte* filter = delete.Filter.Span)
                    {
                        filterView.ViewStatic(filter, delete.Filter.Length);
                        appended = LibMongoc.mongoc_bulk_operation_remove_one_with_opts(bulk.Pointer, filterView.Pointer, IntPtr.Zero, &error);
                    }
                    break;
                default:
                    throw new ArgumentException($"Unsupported write model {requests[i].GetType().Name} at index {i}.", nameof(requests));
            }
            if (appended)
            {
                sent.Add(i);
                continue;
            }
            rejected.Add(new BulkWriteError(i, (int)error.Code, $"rejected by libmongoc before sending: {error.Message}"));
            if (options.IsOrdered) break;
        }

        if (sent.Count == 0)
            throw BulkFailure(ns, BulkWriteResult.Empty, rejected, [], [], default);

        using var reply = BsonStorageHandle.Allocate();
        BsonError executeError;
        var ok = LibMongoc.mongoc_bulk_operation_execute(bulk.Pointer, reply.Pointer, &executeError) != 0;
        var replyBytes = reply.ToArray();
        var outcome = BulkReply.Parse(replyBytes, sent);
        if (ok && rejected.Count == 0) return outcome.Result;
        if (!ok && executeError.Domain is MongocErrorDomain.Stream or MongocErrorDomain.ServerSelection)
            throw MongoErrorTranslator.Translate(executeError, replyBytes, $"bulk write on '{ns}'");
        if (!ok && outcome.WriteErrors.Count == 0 && outcome.WriteConcernErrors.Count == 0 && rejected.Count == 0)
            throw MongoErrorTranslator.Translate(executeError, replyBytes, $"bulk write on '{ns}'");
        var writeErrors = rejected.Concat(outcome.WriteErrors).OrderBy(e => e.Index).ToList();
        throw BulkFailure(ns, outcome.Result, writeErrors, outcome.WriteConcernErrors, MongoErrorTranslator.ReadLabels(replyBytes),
            ok ? default : executeError);
    }

    private static MongoBulkWriteException BulkFailure(string ns, BulkWriteResult result, IReadOnlyList<BulkWriteError> writeErrors,
        IReadOnlyList<WriteConcernError> writeConcernErrors, IReadOnlyList<string> labels, BsonError error)
    {
        var first = writeErrors.Count > 0
            ? $"first at index {writeErrors[0].Index}: code {writeErrors[0].Code}, {writeErrors[0].Message}"
            : writeConcernErrors.Count > 0 ? $"write concern error: {writeConcernErrors[0].Message}" : error.Message;
        var message = $"bulk write on '{ns}': {writeErrors.Count} write error(s), {writeConcernErrors.Count} write concern error(s); {first}";
        var code = writeErrors.Count > 0 ? writeErrors[0].Code : writeConcernErrors.Count > 0 ? writeConcernErrors[0].Code : (int)error.Code;
        return new MongoBulkWriteException(message, (int)error.Domain, code, labels, result, writeErrors, writeConcernErrors);
    }
}
