namespace Replication.Testing;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: Replication.Testing mongod --port N   (the in-memory MongoDB server is not built yet)");
        return 2;
    }
}
