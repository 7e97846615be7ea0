using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine;

namespace Replication.Tests.InMemoryMongo;

public sealed class HandshakeTests
{
    [Theory]
    [InlineData("hello", "isWritablePrimary")]
    [InlineData("isMaster", "ismaster")]
    [InlineData("ismaster", "ismaster")]
    public void Hello_presents_a_writable_primary_of_a_one_node_replica_set(string command, string primaryField)
    {
        var s = new EngineSession(new MongoEngineOptions { HostAndPort = "127.0.0.1:40001", ReplicaSetName = "rsX" });
        var reply = s.Ok(new BsonDocument { { command, 1 } }, "admin");
        Assert.Equal(BsonBoolean.True, reply[primaryField]);
        Assert.Equal(BsonBoolean.False, reply["secondary"]);
        Assert.Equal(new BsonString("rsX"), reply["setName"]);
        Assert.Equal(new BsonArray { "127.0.0.1:40001" }, reply["hosts"]);
        Assert.Equal(new BsonString("127.0.0.1:40001"), reply["primary"]);
        Assert.Equal(new BsonString("127.0.0.1:40001"), reply["me"]);
        Assert.Equal(new BsonInt32(17), reply["maxWireVersion"]);
        Assert.Equal(new BsonInt32(0), reply["minWireVersion"]);
        Assert.Equal(new BsonInt32(16777216), reply["maxBsonObjectSize"]);
        Assert.Equal(new BsonInt32(48000000), reply["maxMessageSizeBytes"]);
        Assert.Equal(new BsonInt32(100000), reply["maxWriteBatchSize"]);
        Assert.Equal(new BsonInt32(30), reply["logicalSessionTimeoutMinutes"]);
        Assert.Equal(new BsonInt32(7), reply["connectionId"]);
        Assert.IsType<BsonObjectId>(reply["electionId"]);
        Assert.IsType<BsonDateTime>(reply["localTime"]);
        Assert.IsType<BsonDocument>(reply["lastWrite"]);
        var topologyVersion = Assert.IsType<BsonDocument>(reply["topologyVersion"]);
        Assert.IsType<BsonObjectId>(topologyVersion["processId"]);
        Assert.Equal(new BsonInt64(0), topologyVersion["counter"]);
    }

    [Fact]
    public void Every_reply_carries_operation_time_and_cluster_time_with_a_zero_signature()
    {
        var s = new EngineSession();
        var reply = s.Ok(new BsonDocument { { "ping", 1 } }, "admin");
        var operationTime = Assert.IsType<BsonTimestamp>(reply["operationTime"]);
        var clusterTime = Assert.IsType<BsonDocument>(reply["$clusterTime"]);
        Assert.Equal(operationTime, clusterTime["clusterTime"]);
        var signature = Assert.IsType<BsonDocument>(clusterTime["signature"]);
        Assert.Equal(new BsonBinaryData(new byte[20]), signature["hash"]);
        Assert.Equal(new BsonInt64(0), signature["keyId"]);
    }

    [Fact]
    public void Operation_time_advances_with_every_write()
    {
        var s = new EngineSession();
        var first = (BsonTimestamp)s.Ok(new BsonDocument { { "insert", "c" }, { "documents", new BsonArray { new BsonDocument() } } })["operationTime"]!;
        var second = (BsonTimestamp)s.Ok(new BsonDocument { { "insert", "c" }, { "documents", new BsonArray { new BsonDocument() } } })["operationTime"]!;
        Assert.True(second.Value > first.Value);
    }

    [Fact]
    public void BuildInfo_reports_version_6_0()
    {
        var reply = new EngineSession().Ok(new BsonDocument { { "buildInfo", 1 } }, "admin");
        Assert.Equal(new BsonString("6.0.0"), reply["version"]);
        Assert.Equal(new BsonArray { 6, 0, 0, 0 }, reply["versionArray"]);
    }

    [Fact]
    public void Unknown_command_is_CommandNotFound_with_mongodbs_message()
    {
        var reply = new EngineSession().Fails(new BsonDocument { { "frobnicate", 1 } }, 59);
        Assert.Equal(new BsonString("no such command: 'frobnicate'"), reply["errmsg"]);
        Assert.Equal(new BsonString("CommandNotFound"), reply["codeName"]);
    }
}
