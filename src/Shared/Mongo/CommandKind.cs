namespace Replication.Mongo;

/// <summary>Which server a command goes to.</summary>
public enum CommandKind
{
    /// <summary>The connection string's read preference chooses the server.</summary>
    Read,
    /// <summary>The primary, as for any write.</summary>
    Write,
    /// <summary>The primary; sent as given, nothing inherited.</summary>
    Plain,
}
