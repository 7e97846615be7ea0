using System.Text.Json;
using Replication.Bson;
using Xunit.Abstractions;

namespace Replication.Tests.Bson.Corpus;

/// <summary>
/// The BSON corpus, every file and every case, asserted as bson-corpus.md describes for a codec that converts
/// directly between BSON and Extended JSON, plus the round trips through the value model.
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

    public static TheoryData<CorpusCase> Cases()
    {
        var data = new TheoryData<CorpusCase>();
        foreach (var c in CorpusCase.All()) data.Add(c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Corpus_case(CorpusCase corpusCase)
    {
        switch (corpusCase.Section)
        {
            case CorpusCase.Valid:
                AssertValid(corpusCase);
                break;
            case CorpusCase.DecodeErrors:
                AssertDecodeError(corpusCase);
                break;
            case CorpusCase.ParseErrors:
                AssertParseError(corpusCase);
                break;
            default:
                Assert.Fail($"unknown corpus section '{corpusCase.Section}'");
                break;
        }
    }

    [Fact]
    public void Every_corpus_file_is_loaded_and_nothing_in_it_is_ignored()
    {
        var files = Directory.GetFiles(BsonCorpus.Directory, "*.json").Select(Path.GetFileName).ToHashSet();
        var cases = CorpusCase.All().ToList();

        Assert.Equal(files.Order(), cases.Select(c => c.File).Distinct().Order());
        foreach (var file in files)
        {
            var root = BsonCorpus.Load(file!);
            var unknown = root.EnumerateObject().Select(p => p.Name).Where(n => !FileKeys.Contains(n)).ToList();
            Assert.True(unknown.Count == 0, $"{file} has sections this test does not run: {string.Join(", ", unknown)}");
            var expected = CorpusCase.Sections.Sum(s => root.TryGetProperty(s, out var a) ? a.GetArrayLength() : 0);
            Assert.Equal(expected, cases.Count(c => c.File == file));
        }
        foreach (var c in cases.Where(c => c.Section == CorpusCase.Valid))
        {
            var unknown = c.Data.EnumerateObject().Select(p => p.Name).Where(n => !ValidKeys.Contains(n)).ToList();
            Assert.True(unknown.Count == 0, $"{c} has keys this test does not check: {string.Join(", ", unknown)}");
        }

        foreach (var section in CorpusCase.Sections)
            output.WriteLine($"{section}: {cases.Count(c => c.Section == section)} cases");
        output.WriteLine($"BSON corpus: {files.Count} files, {cases.Count} cases, from {BsonCorpus.Directory}");
        Assert.True(cases.Count >= SanityFloor, $"only {cases.Count} corpus cases were found; expected at least {SanityFloor}");
    }

    private static void AssertValid(CorpusCase c)
    {
        var lossy = c.Flag("lossy");
        var cbHex = c.Field("canonical_bson")!.ToUpperInvariant();
        var cb = Convert.FromHexString(cbHex);
        var cej = c.Field("canonical_extjson")!;
        var rej = c.Field("relaxed_extjson");

        // cB: valid, converts to cEJ and rEJ, round-trips through the value model.
        BsonValidator.Validate(cb);
        AssertJson(cej, ExtendedJson.ToCanonical(cb), "canonical BSON → canonical Extended JSON");
        if (rej is not null) AssertJson(rej, ExtendedJson.ToRelaxed(cb), "canonical BSON → relaxed Extended JSON");
        Assert.Equal(cbHex, Hex(BsonDocument.Parse(cb).ToBytes()));

        // cEJ: parses back to cB (unless the BSON holds what Extended JSON cannot, e.g. a NaN payload) and re-renders as itself.
        var fromCanonical = ExtendedJson.Parse(cej);
        if (!lossy) Assert.Equal(cbHex, Hex(fromCanonical));
        AssertJson(cej, ExtendedJson.ToCanonical(fromCanonical), "canonical Extended JSON → BSON → canonical Extended JSON");

        if (c.Field("degenerate_bson") is { } dbHex)
        {
            var db = Convert.FromHexString(dbHex);
            BsonValidator.Validate(db);
            AssertJson(cej, ExtendedJson.ToCanonical(db), "degenerate BSON → canonical Extended JSON");
            if (rej is not null) AssertJson(rej, ExtendedJson.ToRelaxed(db), "degenerate BSON → relaxed Extended JSON");
            Assert.Equal(cbHex, Hex(BsonDocument.Parse(db).ToBytes()));
        }

        if (c.Field("degenerate_extjson") is { } dej)
        {
            var fromDegenerate = ExtendedJson.Parse(dej);
            if (!lossy) Assert.Equal(cbHex, Hex(fromDegenerate));
            AssertJson(cej, ExtendedJson.ToCanonical(fromDegenerate), "degenerate Extended JSON → BSON → canonical Extended JSON");
        }

        if (rej is not null)
            AssertJson(rej, ExtendedJson.ToRelaxed(ExtendedJson.Parse(rej)), "relaxed Extended JSON → BSON → relaxed Extended JSON");

        // Deprecated types: the suggested conversion to a current type is itself a consistent BSON / Extended JSON pair.
        if (c.Field("converted_bson") is { } convertedHex)
        {
            var convertedJson = c.Field("converted_extjson");
            Assert.NotNull(convertedJson);
            var converted = Convert.FromHexString(convertedHex);
            BsonValidator.Validate(converted);
            AssertJson(convertedJson, ExtendedJson.ToCanonical(converted), "converted BSON → canonical Extended JSON");
            Assert.Equal(convertedHex.ToUpperInvariant(), Hex(ExtendedJson.Parse(convertedJson)));
        }

        // Decimal128 values also go through the text API directly.
        if (BsonCorpus.Load(c.File).GetProperty("bson_type").GetString() == "0x13")
        {
            var value = new BsonDocumentReader(cb)["d"].AsDecimal128;
            var text = JsonDocument.Parse(cej).RootElement.GetProperty("d").GetProperty("$numberDecimal").GetString()!;
            Assert.Equal(text, value.ToString());
            if (!lossy) Assert.Equal(value, Decimal128.Parse(text));
        }
    }

    private static void AssertDecodeError(CorpusCase c)
    {
        var bytes = Convert.FromHexString(c.Field("bson")!);
        Assert.False(BsonValidator.TryValidate(bytes, out var error), $"the validator accepted: {c}");
        Assert.True(error.Offset >= 0, "a decode error names its offset");
        Assert.Throws<BsonFormatException>(() => BsonValidator.Validate(bytes));
        Assert.Throws<BsonFormatException>(() => ExtendedJson.ToCanonical(bytes));
    }

    private static void AssertParseError(CorpusCase c)
    {
        var text = c.Field("string")!;
        if (BsonCorpus.Load(c.File).GetProperty("bson_type").GetString() == "0x13")
        {
            Assert.False(Decimal128.TryParse(text, out _), $"Decimal128 accepted '{text}'");
            Assert.Throws<FormatException>(() => Decimal128.Parse(text));
            Assert.Throws<ExtendedJsonException>(() => ExtendedJson.Parse("{\"d\": {\"$numberDecimal\": " + JsonSerializer.Serialize(text) + "}}"));
            return;
        }

        // The input is good JSON, so the rejection is about Extended JSON rules, not syntax.
        using (JsonDocument.Parse(text)) { }
        Assert.Throws<ExtendedJsonException>(() => ExtendedJson.Parse(text));
    }

    private static void AssertJson(string expected, string actual, string conversion) =>
        Assert.True(JsonText.Normalize(expected) == JsonText.Normalize(actual),
            $"{conversion}\n expected: {JsonText.Normalize(expected)}\n   actual: {JsonText.Normalize(actual)}");

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);
}
