namespace Replication.Testing.InMemoryMongo.Engine.Errors;

/// <summary>The server error codes this engine reports, with the names MongoDB gives them (error_codes.yml).</summary>
public enum MongoErrorCode
{
    InternalError = 1,
    Unauthorized = 13,
    BadValue = 2,
    NoSuchKey = 4,
    FailedToParse = 9,
    TypeMismatch = 14,
    InvalidLength = 16,
    IllegalOperation = 20,
    NamespaceNotFound = 26,
    IndexNotFound = 27,
    CursorNotFound = 43,
    NamespaceExists = 48,
    MaxTimeMSExpired = 50,
    DollarPrefixedFieldName = 52,
    InvalidIdField = 53,
    CommandNotFound = 59,
    ImmutableField = 66,
    InvalidOptions = 72,
    InvalidNamespace = 73,
    IndexOptionsConflict = 85,
    IndexKeySpecsConflict = 86,
    InvalidResumeToken = 260,
    ChangeStreamHistoryLost = 286,
    Location10334 = 10334,
    DuplicateKey = 11000,
    Location40352 = 40352,
    Location40415 = 40415,
}
