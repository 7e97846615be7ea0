using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Wire;

/// <summary>
/// A command as the engine takes it, decoded from either OP_MSG or a legacy OP_QUERY on <c>*.$cmd</c>.
/// <see cref="Sequences"/> are OP_MSG kind-1 sections (identifier → documents).
/// </summary>
public sealed record WireRequest(
    MessageHeader Header,
    BsonDocument Command,
    IReadOnlyDictionary<string, IReadOnlyList<BsonDocument>>? Sequences,
    OpMsgFlags Flags)
{
    public bool IsLegacyQuery => Header.OpCode == WireOpCode.Query;

    public bool ExpectsReply => !Flags.HasFlag(OpMsgFlags.MoreToCome);

    public string CommandName => Command.ElementCount > 0 ? Command.GetElement(0).Name : "";
}
