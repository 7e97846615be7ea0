namespace Replication.Actors;

/// <summary>The parent of every top-level actor (<c>/user</c>); it handles nothing itself and supervises with the system default.</summary>
internal sealed class GuardianActor : ReceiveActor
{
}
