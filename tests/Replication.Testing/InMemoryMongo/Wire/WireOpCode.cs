namespace Replication.Testing.InMemoryMongo.Wire;

/// <summary>The opcodes of MongoDB's wire protocol this server speaks (or politely refuses).</summary>
public enum WireOpCode
{
    Reply = 1,
    Query = 2004,
    Compressed = 2012,
    Msg = 2013,
}
