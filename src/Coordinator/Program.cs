namespace Replication.Coordinator;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("replication: the replication commands arrive with the DynamoDB → MongoDB issue; nothing runs yet.");
        return 2;
    }
}
