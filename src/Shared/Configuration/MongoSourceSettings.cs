namespace Replication.Configuration;

/// <summary>Where the change stream is opened: one for the whole deployment, or one per selected source database.</summary>
public enum ChangeStreamLevel { Cluster, Database }

/// <summary>How an update event reaches the target: its post-image replaces the document, or its update description is applied as $set/$unset.</summary>
public enum UpdateApplication { FullDocument, Operator }

/// <summary>What happens to a DDL event (create, drop, rename, dropDatabase, createIndexes, dropIndexes): applied to the target, or only reported.</summary>
public enum DdlPolicy { Apply, Report }

/// <summary>When the source's secondary indexes are built on the target: before the documents are copied, after, or not at all.</summary>
public enum IndexBuild { After, Before, None }

/// <summary>The <c>source.mongodb { … }</c> block (MongoDB → MongoDB).</summary>
public sealed record MongoSourceSettings(
    ChangeStreamLevel ChangeStream,
    UpdateApplication Updates,
    DdlPolicy Ddl,
    IndexBuild Indexes,
    int Copiers,
    int RangeDocuments,
    int BatchSize)
{
    public static MongoSourceSettings Default { get; } = new(ChangeStreamLevel.Cluster, UpdateApplication.FullDocument, DdlPolicy.Apply, IndexBuild.After, 4, 100_000, 1000);
}
