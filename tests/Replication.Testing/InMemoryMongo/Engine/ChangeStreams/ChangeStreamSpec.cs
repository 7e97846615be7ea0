using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.ChangeStreams;

/// <summary>The options of a <c>$changeStream</c> stage.</summary>
public sealed record ChangeStreamSpec(
    string FullDocument,
    string FullDocumentBeforeChange,
    ResumeToken? ResumeAfter,
    ResumeToken? StartAfter,
    BsonTimestamp? StartAtOperationTime,
    bool AllChangesForCluster,
    bool ShowExpandedEvents = false)
{
    public static ChangeStreamSpec Parse(BsonValue stage)
    {
        if (stage is not BsonDocument d) throw MongoCommandException.TypeMismatch("the $changeStream stage must be an object");
        string fullDocument = "default", before = "off";
        ResumeToken? resumeAfter = null, startAfter = null;
        BsonTimestamp? startAt = null;
        var cluster = false;
        var expanded = false;
        foreach (var (name, value) in d)
        {
            switch (name)
            {
                case "fullDocument":
                    fullDocument = value is BsonString { Value: "default" or "updateLookup" or "whenAvailable" or "required" } f
                        ? f.Value
                        : throw MongoCommandException.BadValue($"unknown full document option: {Errors.ShellFormat.Of(value)}");
                    break;
                case "fullDocumentBeforeChange":
                    before = value is BsonString { Value: "off" or "whenAvailable" or "required" } b
                        ? b.Value
                        : throw MongoCommandException.BadValue($"unknown fullDocumentBeforeChange option: {Errors.ShellFormat.Of(value)}");
                    break;
                case "resumeAfter": resumeAfter = ResumeToken.Parse(value); break;
                case "startAfter": startAfter = ResumeToken.Parse(value); break;
                case "startAtOperationTime":
                    startAt = value as BsonTimestamp ?? throw MongoCommandException.TypeMismatch("startAtOperationTime must be a timestamp");
                    break;
                case "allChangesForCluster": cluster = value is BsonBoolean { Value: true }; break;
                case "showExpandedEvents": expanded = value is BsonBoolean { Value: true }; break;
                case "allowToRunOnConfigDB" or "allowToRunOnSystemNS": break;
                default:
                    throw new MongoCommandException(MongoErrorCode.Location40415, $"BSON field '$changeStream.{name}' is an unknown field.");
            }
        }
        var starts = (resumeAfter is null ? 0 : 1) + (startAfter is null ? 0 : 1) + (startAt is null ? 0 : 1);
        if (starts > 1)
            throw new MongoCommandException(MongoErrorCode.Location40674, "Only one type of resume option is allowed, but multiple were found.");
        if (resumeAfter is { IsInvalidate: true })
            throw new MongoCommandException(MongoErrorCode.InvalidResumeToken,
                "Attempting to resume a change stream using 'resumeAfter' is not allowed from an invalidate notification.");
        return new ChangeStreamSpec(fullDocument, before, resumeAfter, startAfter, startAt, cluster, expanded);
    }
}
