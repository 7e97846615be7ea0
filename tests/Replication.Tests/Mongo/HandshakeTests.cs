using MongoDB.Bson;
using Replication.Mongo;

namespace Replication.Tests.Mongo;

public sealed class HandshakeTests : MongoServerTest
{
    [Fact]
    public async Task Hello_through_the_driver_reports_a_writable_primary()
    {
        var hello = await Client.HelloAsync();
        Assert.Equal(BsonBoolean.True, hello["isWritablePrimary"]);
        Assert.True(Server.TotalConnections >= 1);
    }

    [Fact]
    public async Task Server_version_comes_from_buildInfo()
    {
        var version = await Client.GetServerVersionAsync();
        Assert.Matches(@"^\d+\.\d+", version);
    }

    [Fact]
    public async Task Ping_runs_as_a_plain_command_and_returns_the_reply_bytes()
    {
        var reply = await Client.RunCommandAsync("admin", new BsonDocument { { "ping", 1 } }.ToBson(), CommandKind.Plain);
        Assert.Equal(new BsonDouble(1.0), new RawBsonDocument(reply)["ok"]);
    }

    [Fact]
    public async Task An_unknown_command_is_a_command_exception_with_the_server_code()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() =>
            Client.RunCommandAsync("admin", new BsonDocument { { "noSuchCommand", 1 } }, CommandKind.Plain));
        Assert.Equal(59, error.Code);
        Assert.Equal("CommandNotFound", error.CodeName);
        Assert.False(error.IsRetryable);
    }
}
