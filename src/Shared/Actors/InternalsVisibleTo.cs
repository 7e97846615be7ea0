using System.Runtime.CompilerServices;

// The kernel's tests check its internal counters (live actors, running turns, armed timers) to prove that
// Terminate leaves nothing running.
[assembly: InternalsVisibleTo("Replication.Tests")]
