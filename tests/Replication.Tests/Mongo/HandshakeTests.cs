using MongoDB.Bson;
using MongoDB.Driver;

namespace Replication.Tests.Mongo;

public sealed class HandshakeTests : MongoServerTest
{
    private Task<BsonDocument> AdminCommandAsync(BsonDocument command) =>
        Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(command, ReadPreference.Primary);

    [Fact]
    public async Task Hello_through_the_driver_reports_a_writable_primary()
    {
        var hello = await AdminCommandAsync(new BsonDocument { { "hello", 1 } });
        Assert.Equal(BsonBoolean.True, hello["isWritablePrimary"]);
        Assert.True(Server.TotalConnections >= 1);
    }

    [Fact]
    public async Task Server_version_comes_from_buildInfo()
    {
        var buildInfo = await AdminCommandAsync(new BsonDocument { { "buildInfo", 1 } });
        Assert.Matches(@"^\d+\.\d+", buildInfo["version"].AsString);
    }

    [Fact]
    public async Task Ping_runs_as_a_plain_command_and_returns_the_reply_bytes()
    {
        var reply = await Client.GetDatabase("admin").RunCommandAsync<RawBsonDocument>(new BsonDocument { { "ping", 1 } }, ReadPreference.Primary);
        Assert.Equal(new BsonDouble(1.0), reply["ok"]);
    }

    [Fact]
    public async Task An_unknown_command_is_a_command_exception_with_the_server_code()
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => AdminCommandAsync(new BsonDocument { { "noSuchCommand", 1 } }));
        Assert.Equal(59, error.Code);
        Assert.Equal("CommandNotFound", error.CodeName);
        Assert.False(error.HasErrorLabel("RetryableWriteError"));
    }
}
