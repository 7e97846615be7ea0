namespace Replication.Testing.DynamoLocal;

/// <summary>The checkout's root: the nearest folder upwards from the running assembly that holds Replication.sln.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Replication.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"Replication.sln was not found above {AppContext.BaseDirectory}; run the tests from inside the repository");
    }
}
