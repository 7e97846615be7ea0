namespace Replication.Bson;

/// <summary>The two output formats of the Extended JSON v2 specification.</summary>
public enum ExtendedJsonMode
{
    /// <summary>Type-preserving: every number, date and special value in its type wrapper.</summary>
    Canonical,

    /// <summary>Readable: int32, int64 and finite doubles as JSON numbers, dates from 1970 to 9999 as ISO-8601 strings.</summary>
    Relaxed,
}
