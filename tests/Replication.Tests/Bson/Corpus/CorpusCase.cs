using System.Text.Json;
using Xunit.Abstractions;

namespace Replication.Tests.Bson.Corpus;

/// <summary>
/// One case of the corpus, identified by file, section and index so xunit can list every case as its own test;
/// its display text is the file and the case's description.
/// </summary>
public sealed class CorpusCase : IXunitSerializable
{
    public const string Valid = "valid";
    public const string DecodeErrors = "decodeErrors";
    public const string ParseErrors = "parseErrors";
    public static readonly string[] Sections = [Valid, DecodeErrors, ParseErrors];

    public CorpusCase() { }

    public CorpusCase(string file, string section, int index)
    {
        File = file;
        Section = section;
        Index = index;
    }

    public string File { get; private set; } = "";
    public string Section { get; private set; } = "";
    public int Index { get; private set; }

    public JsonElement Data => BsonCorpus.Load(File).GetProperty(Section)[Index];
    public string Description => Data.GetProperty("description").GetString() ?? "";

    public string? Field(string name) => Data.TryGetProperty(name, out var v) ? v.GetString() : null;
    public bool Flag(string name) => Data.TryGetProperty(name, out var v) && v.GetBoolean();

    /// <summary>The file's bson_type, e.g. "0x13".</summary>
    public string BsonType => BsonCorpus.Load(File).GetProperty("bson_type").GetString() ?? "";

    public byte[] CanonicalBson => Convert.FromHexString(Field("canonical_bson")!);

    /// <summary>The canonical BSON as the reference (MongoDB.Bson's binary reader) reads it.</summary>
    public MongoDB.Bson.BsonDocument CanonicalDocument => Replication.Testing.BsonBytes.ToDocument(CanonicalBson);

    /// <summary>The canonical Extended JSON as the reference (MongoDB.Bson's JsonReader) reads it.</summary>
    public MongoDB.Bson.BsonDocument CanonicalJsonDocument => MongoDB.Bson.BsonDocument.Parse(Field("canonical_extjson")!);

    /// <summary>DBPointer (0x0C) is the one type MongoDB.Bson cannot read; the corpus has it in two files.</summary>
    public bool HoldsDbPointer => BsonType == "0x0C" || File == "multi-type-deprecated.json";

    /// <summary>Every case of every *.json file, in file order.</summary>
    public static IEnumerable<CorpusCase> All()
    {
        foreach (var file in BsonCorpus.FileNames)
        {
            var root = BsonCorpus.Load(file);
            foreach (var section in Sections)
            {
                if (!root.TryGetProperty(section, out var cases)) continue;
                for (var i = 0; i < cases.GetArrayLength(); i++) yield return new CorpusCase(file, section, i);
            }
        }
    }

    public void Deserialize(IXunitSerializationInfo info)
    {
        File = info.GetValue<string>(nameof(File));
        Section = info.GetValue<string>(nameof(Section));
        Index = info.GetValue<int>(nameof(Index));
    }

    public void Serialize(IXunitSerializationInfo info)
    {
        info.AddValue(nameof(File), File);
        info.AddValue(nameof(Section), Section);
        info.AddValue(nameof(Index), Index);
    }

    public override string ToString() => $"{File} [{Section} #{Index}] {Description}";
}
