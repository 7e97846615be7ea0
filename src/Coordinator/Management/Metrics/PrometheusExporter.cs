using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Replication.Coordinator.Management.Metrics;

/// <summary>
/// <c>GET /metrics</c>: every instrument of one <see cref="Meter"/> in the Prometheus text format, gathered with a
/// <see cref="MeterListener"/>. Counting starts when the exporter is created, so create it before the work starts.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = PrometheusText.ContentType;

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _instruments = new();
    private readonly Lock _scrape = new();

    /// <param name="meter">The node's own meter instance: other meters of the same name (other nodes or tests in this process) are not this node's.</param>
    public PrometheusExporter(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, meter)) return;
            var series = _instruments.GetOrAdd(instrument, static i => new InstrumentSeries(i));
            listener.EnableMeasurementEvents(instrument, series);
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentSeries? _);
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => ((InstrumentSeries)state!).Record((double)value, tags));
        _listener.Start();
    }

    public string Scrape()
    {
        // One scrape at a time: observable instruments are cleared and re-observed, which two scrapes must not interleave.
        lock (_scrape)
        {
            var instruments = _instruments.Values.OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
            foreach (var instrument in instruments) instrument.ForgetObservations();
            _listener.RecordObservableInstruments();
            var output = new StringBuilder();
            foreach (var instrument in instruments) instrument.Render(output);
            return output.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();
}
