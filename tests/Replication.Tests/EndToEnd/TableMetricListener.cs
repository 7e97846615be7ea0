using System.Diagnostics.Metrics;
using Replication.Metrics;

namespace Replication.Tests.EndToEnd;

/// <summary>Listens to one counter of the Replication meter for one table (e.g. items scanned, dead letters).</summary>
public static class TableMetricListener
{
    public const string ItemsScanned = "replication.fullsync.items_scanned";
    public const string DeadLetters = "replication.dead_letters";
    public const string StaleDocuments = "replication.dead_letters.stale_documents";

    public static MeterListener Start(string instrumentName, string table, Action<long> onMeasured)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ReplicationMetrics.MeterName && instrument.Name == instrumentName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "table" && (string?)tag.Value == table) onMeasured(value);
        });
        listener.Start();
        return listener;
    }
}
