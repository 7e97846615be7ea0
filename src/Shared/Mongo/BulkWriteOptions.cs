using Replication.Bson;

namespace Replication.Mongo;

public sealed record BulkWriteOptions
{
    /// <summary>Ordered stops at the first error; unordered (the default here) applies every item it can.</summary>
    public bool IsOrdered { get; init; }

    /// <summary>Overrides the connection string's write concern, e.g. <c>{ w: "majority" }</c>.</summary>
    public BsonDocument? WriteConcern { get; init; }

    public bool BypassDocumentValidation { get; init; }

    /// <summary>
    /// libmongoc checks inserted and replacement documents' keys before sending (no empty keys, no leading '$'
    /// or '.' in names). Turning it off sends documents exactly as given and lets the server decide.
    /// </summary>
    public bool ValidateDocuments { get; init; } = true;
}
