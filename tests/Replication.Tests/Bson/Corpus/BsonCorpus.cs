using System.Collections.Concurrent;
using System.Text.Json;

namespace Replication.Tests.Bson.Corpus;

/// <summary>
/// The official BSON corpus in ../shared/bson-corpus (next to the folder holding Replication.sln), or wherever
/// BSON_CORPUS_DIR points. A missing corpus is an error, never a skip: CI always has it.
/// </summary>
public static class BsonCorpus
{
    private static readonly Lazy<string> LazyDirectory = new(Locate);
    private static readonly ConcurrentDictionary<string, JsonDocument> Files = new();

    public static string Directory => LazyDirectory.Value;

    public static IReadOnlyList<string> FileNames =>
        System.IO.Directory.GetFiles(Directory, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    public static JsonElement Load(string fileName) =>
        Files.GetOrAdd(fileName, f => JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, f)))).RootElement;

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("BSON_CORPUS_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return System.IO.Directory.Exists(fromEnvironment)
                ? fromEnvironment
                : throw new DirectoryNotFoundException($"BSON_CORPUS_DIR is set to '{fromEnvironment}', which does not exist");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Replication.sln"))) continue;
            var corpus = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "bson-corpus"));
            return System.IO.Directory.Exists(corpus) && System.IO.Directory.GetFiles(corpus, "*.json").Length > 0
                ? corpus
                : throw new DirectoryNotFoundException(
                    $"the BSON corpus is missing: expected its *.json files in '{corpus}' (beside the folder holding Replication.sln); set BSON_CORPUS_DIR to use another place");
        }
        throw new DirectoryNotFoundException(
            $"no Replication.sln found above '{AppContext.BaseDirectory}', so the BSON corpus (../shared/bson-corpus from it) cannot be located; set BSON_CORPUS_DIR");
    }
}
