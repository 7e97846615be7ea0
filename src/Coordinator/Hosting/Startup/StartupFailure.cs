namespace Replication.Coordinator.Hosting.Startup;

/// <summary>Why a node could not start; each kind has its own exit code (README, "Exit codes").</summary>
public enum StartupFailureKind
{
    /// <summary>A setting is invalid, e.g. a connection string MongoDB.Driver cannot parse.</summary>
    BadConfiguration,

    /// <summary>The source (DynamoDB) could not be reached within the startup timeout.</summary>
    SourceUnreachable,

    /// <summary>No AWS credentials were found, or DynamoDB refused them.</summary>
    SourceCredentials,

    /// <summary>The target or checkpoint MongoDB could not be reached within the startup timeout.</summary>
    TargetUnreachable,

    /// <summary>The target or checkpoint MongoDB refused to authenticate this node.</summary>
    TargetCredentials,

    /// <summary>The management endpoints cannot listen on their port.</summary>
    ManagementPort,
}

/// <summary>A startup check failed; <see cref="Exception.Message"/> is the one line shown to the operator, naming the setting and the host.</summary>
public sealed class StartupFailure(StartupFailureKind kind, string message) : Exception(message)
{
    public StartupFailureKind Kind { get; } = kind;
}
