namespace Replication.Testing.InMemoryMongo.Wire;

[Flags]
public enum OpMsgFlags : uint
{
    None = 0,
    /// <summary>A CRC-32C of the message follows the sections.</summary>
    ChecksumPresent = 1 << 0,
    /// <summary>On a request: send no reply. On a reply: another reply follows without a request (exhaust).</summary>
    MoreToCome = 1 << 1,
    /// <summary>The client accepts exhaust replies (moreToCome) to this request.</summary>
    ExhaustAllowed = 1 << 16,
}
