using System.Text;
using System.Text.Json;
using MongoDB.Bson;
using Replication.Bson;
using Replication.Dynamo.Conversion;
using Replication.Testing;
using Xunit.Abstractions;
using BsonDocumentReader = Replication.Bson.BsonDocumentReader;
using BsonType = Replication.Bson.BsonType;
using Decimal128 = Replication.Bson.Decimal128;

namespace Replication.Tests.Bson.Corpus;

/// <summary>
/// The BSON corpus, run against what the project still encodes and decodes itself: the BsonDocumentReader and
/// BsonWriter, the Decimal128 text code, and the DynamoDB JSON → BSON converter built on them. MongoDB.Bson is the
/// reference where one is needed (reading the corpus' canonical Extended JSON). Extended JSON itself — relaxed and
/// degenerate forms, and the Extended JSON parse errors — is MongoDB.Bson's business now, so those parts of the
/// corpus generate no cases here.
/// </summary>
public class BsonCorpusTests(ITestOutputHelper output)
{
    // The corpus at commit 92b3c0b has 983 cases; a count far below that means files or sections went unread.
    private const int SanityFloor = 900;

    private static readonly HashSet<string> FileKeys = ["description", "bson_type", "test_key", "valid", "decodeErrors", "parseErrors", "deprecated"];

    private static readonly HashSet<string> ValidKeys =
    [
        "description", "canonical_bson", "canonical_extjson", "relaxed_extjson", "degenerate_bson", "degenerate_extjson",
        "converted_bson", "converted_extjson", "lossy",
    ];

    /// <summary>Every valid case: our reader and writer handle every BSON type, so none is left out.</summary>
    public static TheoryData<CorpusCase> ValidCases() => Data(CorpusCase.All().Where(c => c.Section == CorpusCase.Valid));

    /// <summary>
    /// Valid cases whose canonical Extended JSON the reference reads into a document that is exactly the canonical
    /// BSON. Not generated: lossy cases (the JSON cannot hold the BSON's NaN payload), DBPointers (MongoDB.Bson has no
    /// type for them) and a double -0.0 (MongoDB.Bson's BsonDouble.Create hands out its cached 0.0 for it).
    /// </summary>
    public static TheoryData<CorpusCase> ReferenceCases() =>
        Data(CorpusCase.All().Where(c => c.Section == CorpusCase.Valid && ReferenceReadsExactly(c)));

    /// <summary>
    /// Valid cases DynamoDB can hold and the converter maps to the same BSON types (<see cref="CorpusAsDynamoItem"/>),
    /// taken from the reference's reading of the canonical Extended JSON (its binary reader turns the old binary
    /// subtype 2 into subtype 0).
    /// </summary>
    public static TheoryData<CorpusCase> ConverterCases() =>
        Data(CorpusCase.All().Where(c => c.Section == CorpusCase.Valid && ReferenceReadsExactly(c) && CorpusAsDynamoItem.From(c.CanonicalJsonDocument) is not null));

    public static TheoryData<CorpusCase> DecimalCases() =>
        Data(CorpusCase.All().Where(c => c.Section == CorpusCase.Valid && c.BsonType == "0x13"));

    /// <summary>
    /// Decode errors of what our reader reads: lengths, terminators, element types, the UTF-8 of names and strings,
    /// booleans and the old binary subtype (<see cref="OwnCodec.Rewrite"/> reads every value). Not generated: the
    /// cases listed in <see cref="NotTheReadersToRefuse"/>.
    /// </summary>
    public static TheoryData<CorpusCase> DecodeErrorCases() =>
        Data(CorpusCase.All().Where(c => c.Section == CorpusCase.DecodeErrors && !NotTheReadersToRefuse.ContainsKey((c.File, c.Description))));

    /// <summary>Decode errors our reader lets through on purpose, each with the reason.</summary>
    private static readonly Dictionary<(string File, string Description), string> NotTheReadersToRefuse = new()
    {
        [("top.json", "Stated length less than byte count, with garbage after envelope")] =
            "the reader reads the document at the front of a buffer; what follows it is the caller's (a wire message, a document sequence)",
        [("code_w_scope.json", "bad code string: negative length")] =
            "the reader has no code-with-scope accessor (nothing in the project reads one); it is framed by its outer length only",
        [("code_w_scope.json", "bad code string: length longer than field")] =
            "the reader has no code-with-scope accessor (nothing in the project reads one); it is framed by its outer length only",
    };

    /// <summary>Parse errors of decimal128 text; the other parse errors are about Extended JSON, which the project no longer parses.</summary>
    public static TheoryData<CorpusCase> DecimalParseErrorCases() =>
        Data(CorpusCase.All().Where(c => c.Section == CorpusCase.ParseErrors && c.BsonType == "0x13"));

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Our_reader_reads_canonical_and_degenerate_BSON_and_our_writer_writes_it_back_canonical(CorpusCase c)
    {
        var canonical = c.CanonicalBson;
        Assert.Equal(Convert.ToHexString(canonical), Convert.ToHexString(OwnCodec.Rewrite(canonical)));
        if (c.Field("degenerate_bson") is { } degenerate)
            Assert.Equal(Convert.ToHexString(canonical), Convert.ToHexString(OwnCodec.Rewrite(Convert.FromHexString(degenerate))));
        if (c.Field("converted_bson") is { } converted)
            Assert.Equal(converted.ToUpperInvariant(), Convert.ToHexString(OwnCodec.Rewrite(Convert.FromHexString(converted))));
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void Our_writer_writes_the_canonical_Extended_JSON_as_read_by_the_reference_exactly_as_the_canonical_BSON(CorpusCase c)
    {
        Assert.Equal(Convert.ToHexString(c.CanonicalBson), Convert.ToHexString(OwnCodec.Write(c.CanonicalJsonDocument)));

        // Our reader sees the same names and types as the reference does in the same bytes.
        Assert.Equal(Shape(c.CanonicalDocument), Shape(new BsonDocumentReader(c.CanonicalBson)));
    }

    [Theory]
    [MemberData(nameof(ConverterCases))]
    public void The_DynamoDB_item_holding_the_same_values_converts_to_the_canonical_BSON(CorpusCase c)
    {
        var item = CorpusAsDynamoItem.From(c.CanonicalJsonDocument)!;
        var converter = new DynamoItemConverter(item.Mode, IdentityMode.Fields, new TableKeySchema("id", null));
        var json = Encoding.UTF8.GetBytes(item.Json);
        var reader = new Utf8JsonReader(json, DynamoItemConverter.ReaderOptions);
        Assert.True(reader.Read());
        using var writer = new BsonWriter();
        converter.WriteDocument(ref reader, writer);

        var converted = new BsonDocumentReader(writer.WrittenSpan)[CorpusAsDynamoItem.Field];
        Assert.Equal(BsonType.Document, converted.Type);
        Assert.True(Convert.ToHexString(c.CanonicalBson) == Convert.ToHexString(converted.RawValue), $"{item.Json} converted to {Convert.ToHexString(converted.RawValue)}");
    }

    [Theory]
    [MemberData(nameof(DecimalCases))]
    public void Decimal128_text_formats_and_parses_as_the_corpus_writes_it(CorpusCase c)
    {
        var value = new BsonDocumentReader(c.CanonicalBson)["d"].AsDecimal128;
        var text = JsonDocument.Parse(c.Field("canonical_extjson")!).RootElement.GetProperty("d").GetProperty("$numberDecimal").GetString()!;
        Assert.Equal(text, value.ToString());
        if (!c.Flag("lossy")) Assert.Equal(value, Decimal128.Parse(text));
        // Degenerate spellings ("1E+3" for "1.0E+3" and the like) parse to the same value.
        if (c.Field("degenerate_extjson") is { } degenerate && !c.Flag("lossy"))
            Assert.Equal(value, Decimal128.Parse(JsonDocument.Parse(degenerate).RootElement.GetProperty("d").GetProperty("$numberDecimal").GetString()!));
    }

    [Theory]
    [MemberData(nameof(DecodeErrorCases))]
    public void Our_reader_refuses_the_malformed_BSON(CorpusCase c)
    {
        var bytes = Convert.FromHexString(c.Field("bson")!);
        var error = Record.Exception(() => OwnCodec.Rewrite(bytes));
        Assert.True(error is BsonFormatException or DecoderFallbackException, $"the reader accepted {c}: {error}");
    }

    [Theory]
    [MemberData(nameof(DecimalParseErrorCases))]
    public void Decimal128_refuses_the_malformed_text(CorpusCase c)
    {
        var text = c.Field("string")!;
        Assert.False(Decimal128.TryParse(text, out _), $"Decimal128 accepted '{text}'");
        Assert.Throws<FormatException>(() => Decimal128.Parse(text));
    }

    [Fact]
    public void Every_corpus_file_is_loaded_and_nothing_in_it_is_unread()
    {
        var files = Directory.GetFiles(BsonCorpus.Directory, "*.json").Select(Path.GetFileName).ToHashSet();
        var cases = CorpusCase.All().ToList();

        Assert.Equal(files.Order(), cases.Select(c => c.File).Distinct().Order());
        foreach (var file in files)
        {
            var root = BsonCorpus.Load(file!);
            var unknown = root.EnumerateObject().Select(p => p.Name).Where(n => !FileKeys.Contains(n)).ToList();
            Assert.True(unknown.Count == 0, $"{file} has sections this test does not know: {string.Join(", ", unknown)}");
            var expected = CorpusCase.Sections.Sum(s => root.TryGetProperty(s, out var a) ? a.GetArrayLength() : 0);
            Assert.Equal(expected, cases.Count(c => c.File == file));
        }
        foreach (var c in cases.Where(c => c.Section == CorpusCase.Valid))
        {
            var unknown = c.Data.EnumerateObject().Select(p => p.Name).Where(n => !ValidKeys.Contains(n)).ToList();
            Assert.True(unknown.Count == 0, $"{c} has keys this test does not know: {string.Join(", ", unknown)}");
        }

        // What is left out is left out for the reasons given above, and no more.
        Assert.Equal(cases.Count(c => c.Section == CorpusCase.Valid), ValidCases().Count);
        Assert.All(NotTheReadersToRefuse.Keys, k => Assert.Contains(cases, c => c.Section == CorpusCase.DecodeErrors && (c.File, c.Description) == k));
        Assert.Equal(cases.Count(c => c.Section == CorpusCase.DecodeErrors) - NotTheReadersToRefuse.Count, DecodeErrorCases().Count);

        output.WriteLine($"BSON corpus: {files.Count} files, {cases.Count} cases, from {BsonCorpus.Directory}");
        output.WriteLine($"valid: {ValidCases().Count} through our reader and writer, {ReferenceCases().Count} against the reference, {ConverterCases().Count} through the DynamoDB converter, {DecimalCases().Count} decimal128 texts");
        foreach (var ((file, description), reason) in NotTheReadersToRefuse) output.WriteLine($"not generated: {file} \"{description}\": {reason}");
        output.WriteLine($"decode errors: {DecodeErrorCases().Count} of {cases.Count(c => c.Section == CorpusCase.DecodeErrors)}; decimal128 parse errors: {DecimalParseErrorCases().Count}");
        Assert.True(cases.Count >= SanityFloor, $"only {cases.Count} corpus cases were found; expected at least {SanityFloor}");
    }

    private static bool ReferenceReadsExactly(CorpusCase c) =>
        !c.Flag("lossy") && !c.HoldsDbPointer
        && !c.Field("canonical_extjson")!.Replace(" ", "").Contains("{\"$numberDouble\":\"-0.0\"}", StringComparison.Ordinal);

    private static string Shape(BsonDocument document) =>
        string.Join(",", document.Select(e => $"{e.Name}:{(byte)e.Value.BsonType:x2}" + (e.Value is BsonDocument d ? "{" + Shape(d) + "}" : e.Value is BsonArray a ? "[" + Shape(new BsonDocument(a.Select((v, i) => new MongoDB.Bson.BsonElement($"{i}", v)))) + "]" : "")));

    private static string Shape(BsonDocumentReader reader)
    {
        var parts = new List<string>();
        foreach (var e in reader)
            parts.Add($"{e.Name}:{(byte)e.Type:x2}" + (e.Type == BsonType.Document ? "{" + Shape(e.AsDocument) + "}" : e.Type == BsonType.Array ? "[" + Shape(e.AsArray) + "]" : ""));
        return string.Join(",", parts);
    }

    private static TheoryData<CorpusCase> Data(IEnumerable<CorpusCase> cases)
    {
        var data = new TheoryData<CorpusCase>();
        foreach (var c in cases) data.Add(c);
        return data;
    }
}
