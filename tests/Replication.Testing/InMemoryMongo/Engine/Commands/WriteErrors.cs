using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>The <c>writeErrors</c> array of insert/update/delete replies: <c>{index, code, errmsg, …extra}</c> per failed op.</summary>
public sealed class WriteErrors
{
    private readonly BsonArray _errors = [];

    public bool Any => _errors.Count > 0;

    public void Add(int index, MongoCommandException e)
    {
        var entry = new BsonDocument { { "index", index }, { "code", (int)e.Code } };
        if (e.ExtraInfo is not null)
            foreach (var (name, value) in e.ExtraInfo) entry.Add(name, value);
        entry.Add("errmsg", e.Message);
        _errors.Add(entry);
    }

    public void AddTo(BsonDocument reply)
    {
        if (Any) reply.Add("writeErrors", _errors);
    }
}
