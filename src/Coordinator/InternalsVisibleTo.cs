using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Replication.Tests")]
