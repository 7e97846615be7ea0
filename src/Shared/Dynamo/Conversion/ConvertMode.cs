namespace Replication.Dynamo.Conversion;

/// <summary>How DynamoDB attribute values become BSON values (<c>replication.convert.mode</c>).</summary>
public enum ConvertMode
{
    /// <summary>Lossless: numbers become int32/int64, else Decimal128 when exact, else their text.</summary>
    Typed,

    /// <summary>
    /// The DynamoDB JSON shape kept as sub-documents: <c>{S: "…"}</c>, <c>{N: "…"}</c>, … (binary decoded).
    /// <c>_id</c> is still the plain key value; the key fields themselves keep the raw shape.
    /// </summary>
    Raw,

    /// <summary>Numbers become doubles, as NimoShake writes them. Key attributes still map as in <see cref="Typed"/>.</summary>
    Double,
}
