using Replication.Mongo.Native;

namespace Replication.Mongo;

/// <summary>The one place a command document crosses into libmongoc's command helpers.</summary>
internal static class CommandRunner
{
    public static unsafe byte[] Run(PooledClientHandle client, string database, ReadOnlySpan<byte> command, CommandKind kind, ReadOnlyMemory<byte>? options)
    {
        using var commandBson = OwnedBsonHandle.Copy(command);
        using var optionsBson = OwnedBsonHandle.CopyOrNull(options);
        using var reply = BsonStorageHandle.Allocate();
        var opts = optionsBson?.Pointer ?? IntPtr.Zero;
        BsonError error;
        var ok = kind switch
        {
            CommandKind.Read => LibMongoc.mongoc_client_read_command_with_opts(client.Pointer, database, commandBson.Pointer, IntPtr.Zero, opts, reply.Pointer, &error),
            CommandKind.Write => LibMongoc.mongoc_client_write_command_with_opts(client.Pointer, database, commandBson.Pointer, opts, reply.Pointer, &error),
            _ => LibMongoc.mongoc_client_command_with_opts(client.Pointer, database, commandBson.Pointer, IntPtr.Zero, opts, reply.Pointer, &error),
        };
        var bytes = reply.ToArray();
        if (!ok) throw MongoErrorTranslator.Translate(error, bytes, $"command '{CommandName(command)}' on database '{database}'");
        return bytes;
    }

    private static string CommandName(ReadOnlySpan<byte> command)
    {
        foreach (var element in new Bson.BsonDocumentReader(command)) return element.Name;
        return "";
    }
}
