namespace Replication.Testing.InMemoryMongo.Engine.Commands;

/// <summary>Command name → command. Names match exactly, as MongoDB's do (aliases such as ismaster are registered).</summary>
public sealed class CommandRegistry
{
    private readonly Dictionary<string, IMongoCommand> _commands = new(StringComparer.Ordinal);

    public CommandRegistry(IEnumerable<IMongoCommand> commands)
    {
        foreach (var command in commands)
            foreach (var name in command.Names) _commands.Add(name, command);
    }

    public bool TryGet(string name, out IMongoCommand command) => _commands.TryGetValue(name, out command!);

    public static CommandRegistry Default() => new(
    [
        new HelloCommand(), new AuthenticationCommand(), new PingCommand(), new BuildInfoCommand(), new EndSessionsCommand(), new GetParameterCommand(),
        new ServerStatusCommand(), new ListDatabasesCommand(), new InsertCommand(), new FindCommand(), new GetMoreCommand(),
        new KillCursorsCommand(), new UpdateCommand(), new DeleteCommand(), new FindAndModifyCommand(), new CountCommand(),
        new DistinctCommand(), new CreateCommand(), new ListCollectionsCommand(), new ListIndexesCommand(),
        new CreateIndexesCommand(), new DropIndexesCommand(), new DropCommand(), new DropDatabaseCommand(),
        new RenameCollectionCommand(), new AggregateCommand(), new CollStatsCommand(), new DbStatsCommand(),
    ]);
}
