namespace Replication.Mongo;

/// <summary>One item of a bulk write; documents, filters and updates are BSON bytes.</summary>
public abstract record WriteModel;

public sealed record InsertOneModel(ReadOnlyMemory<byte> Document) : WriteModel;

public sealed record ReplaceOneModel(ReadOnlyMemory<byte> Filter, ReadOnlyMemory<byte> Replacement, bool IsUpsert = false) : WriteModel;

/// <summary><see cref="Update"/> is an update document (<c>$set</c>…) or a pipeline array document.</summary>
public sealed record UpdateOneModel(ReadOnlyMemory<byte> Filter, ReadOnlyMemory<byte> Update, bool IsUpsert = false) : WriteModel;

public sealed record DeleteOneModel(ReadOnlyMemory<byte> Filter) : WriteModel;
