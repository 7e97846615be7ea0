using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.ChangeStreams;
using Replication.Testing.InMemoryMongo.Engine.Cursors;
using Replication.Testing.InMemoryMongo.Engine.Faults;
using Replication.Testing.InMemoryMongo.Engine.Storage;

namespace Replication.Testing.InMemoryMongo.Engine;

/// <summary>The state one server holds, shared by every command: data, open cursors, the change log and the clock.</summary>
public sealed class MongoInstance
{
    public MongoInstance(MongoEngineOptions options)
    {
        Options = options;
        Clock = new ClusterClock();
        ChangeLog = new ChangeLog(Clock, options.ChangeLogCapacity);
        Catalog = new Catalog(ChangeLog);
        Cursors = new CursorRegistry(options.CursorIdleTimeout);
    }

    public MongoEngineOptions Options { get; }
    public ClusterClock Clock { get; }
    public ChangeLog ChangeLog { get; }
    public Catalog Catalog { get; }
    public CursorRegistry Cursors { get; }

    /// <summary>Write-concern errors a test asks the next write commands to report.</summary>
    public WriteConcernFaults WriteConcernFaults { get; } = new();

    /// <summary>Collections a test made refuse every write command.</summary>
    public WriteRefusals WriteRefusals { get; } = new();
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The replica set term's election id, fixed for the server's life as a single-node set never re-elects.</summary>
    public ObjectId ElectionId { get; } = new([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1]);

    /// <summary>Identifies this process in hello's topologyVersion; a restarted server is a new process.</summary>
    public ObjectId ProcessId { get; } = ObjectId.GenerateNewId();
}
