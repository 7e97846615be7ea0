namespace Replication.Mongo;

/// <summary>Which libmongoc command helper runs a command, and so which connection-string defaults it inherits.</summary>
public enum CommandKind
{
    /// <summary><c>mongoc_client_read_command_with_opts</c>: the read preference and read concern apply.</summary>
    Read,
    /// <summary><c>mongoc_client_write_command_with_opts</c>: the write concern applies, the primary is chosen.</summary>
    Write,
    /// <summary><c>mongoc_client_command_with_opts</c>: sent as given to the primary, nothing inherited.</summary>
    Plain,
}
