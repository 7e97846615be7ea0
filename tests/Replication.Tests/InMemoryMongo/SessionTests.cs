using MongoDB.Bson;

namespace Replication.Tests.InMemoryMongo;

public sealed class SessionTests
{
    private static readonly BsonDocument Lsid = new() { { "id", new BsonBinaryData(Enumerable.Range(1, 16).Select(i => (byte)i).ToArray(), BsonBinarySubType.UuidStandard) } };

    private static BsonDocument Insert(int id, long txnNumber) => new()
    {
        { "insert", "c" },
        { "documents", new BsonArray { new BsonDocument { { "_id", id } } } },
        { "lsid", Lsid },
        { "txnNumber", txnNumber },
    };

    [Fact]
    public void A_retried_write_gets_its_first_reply_again_and_is_applied_once()
    {
        var s = new EngineSession();
        var first = s.Ok(Insert(1, txnNumber: 5));
        var retry = s.Ok(Insert(1, txnNumber: 5));
        Assert.Equal(new BsonInt32(1), first["n"]);
        Assert.Equal(new BsonInt32(1), retry["n"]);
        Assert.False(retry.Contains("writeErrors"));
        Assert.Single(s.FindAll("c"));
    }

    [Fact]
    public void A_new_transaction_number_is_a_new_write_and_an_older_one_is_refused()
    {
        var s = new EngineSession();
        s.Ok(Insert(1, txnNumber: 5));
        var again = s.Ok(Insert(1, txnNumber: 6));
        Assert.Equal(new BsonInt32(11000), ((BsonDocument)((BsonArray)again["writeErrors"]!)[0])["code"]);
        s.Fails(Insert(2, txnNumber: 4), 225);
        Assert.Single(s.FindAll("c"));
    }

    [Fact]
    public void StartTransaction_is_refused_before_anything_is_written_and_later_statements_have_no_transaction()
    {
        var s = new EngineSession();
        var start = Insert(1, txnNumber: 1);
        start.Add("startTransaction", true);
        start.Add("autocommit", false);
        var refused = s.Fails(start, 20);
        Assert.Contains("transactions are not supported", ((BsonString)refused["errmsg"]!).Value);
        var next = Insert(2, txnNumber: 1);
        next.Add("autocommit", false);
        s.Fails(next, 251);
        s.Fails(new BsonDocument { { "commitTransaction", 1 }, { "lsid", Lsid }, { "txnNumber", 1L }, { "autocommit", false } }, 251);
        Assert.Empty(s.FindAll("c"));
    }
}
