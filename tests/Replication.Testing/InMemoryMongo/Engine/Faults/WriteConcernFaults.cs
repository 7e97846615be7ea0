using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Engine.Faults;

/// <summary>
/// Lets a test make the next write commands (insert, update, delete) report that their write concern was not met, as
/// a primary does when its secondaries do not acknowledge in time: the writes are applied, the reply is <c>ok: 1</c>
/// (with any <c>writeErrors</c> it has) and carries <c>writeConcernError: {code, codeName, errmsg, errInfo}</c>.
/// </summary>
public sealed class WriteConcernFaults
{
    private static readonly HashSet<string> WriteCommands = ["insert", "update", "delete"];
    private readonly Lock _gate = new();
    private int _remaining;
    private WriteConcernFault _fault = WriteConcernFault.Timeout;

    /// <summary>The next <paramref name="commands"/> write commands report <paramref name="fault"/> (a wtimeout by default).</summary>
    public void FailNext(int commands, WriteConcernFault? fault = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(commands);
        lock (_gate)
        {
            _remaining = commands;
            _fault = fault ?? WriteConcernFault.Timeout;
        }
    }

    /// <summary>Write commands that reported a write-concern error so far.</summary>
    public int Reported { get; private set; }

    internal void Apply(string command, BsonDocument reply)
    {
        if (!WriteCommands.Contains(command) || reply.GetOrNull("ok") is not BsonDouble { Value: 1.0 }) return;
        WriteConcernFault fault;
        lock (_gate)
        {
            if (_remaining == 0) return;
            _remaining--;
            Reported++;
            fault = _fault;
        }
        reply["writeConcernError"] = new BsonDocument
        {
            { "code", fault.Code },
            { "codeName", fault.CodeName },
            { "errmsg", fault.Message },
            { "errInfo", new BsonDocument { { "wtimeout", fault.Code == WriteConcernFault.Timeout.Code }, { "writeConcern", new BsonDocument { { "w", "majority" }, { "wtimeout", 100 }, { "provenance", "clientSupplied" } } } } },
        };
    }
}

/// <summary>One write-concern error as MongoDB reports it; <see cref="Timeout"/> is mongod's wtimeout.</summary>
public sealed record WriteConcernFault(int Code, string CodeName, string Message)
{
    public static WriteConcernFault Timeout { get; } = new(64, "WriteConcernFailed", "waiting for replication timed out");
}
