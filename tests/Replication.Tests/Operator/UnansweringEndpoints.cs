using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Replication.Tests.Operator;

/// <summary>
/// Loopback stand-ins for broken networks: a port nobody listens on (closed), a listener that accepts connections and
/// never says a word (blackholed), and one that answers every HTTP request with a fixed DynamoDB error.
/// </summary>
internal sealed class UnansweringEndpoints : IDisposable
{
    private readonly List<TcpListener> _listeners = [];
    private readonly List<Socket> _accepted = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>
    /// A loopback port bound but never listened on: every connection to it is refused, and unlike a port merely freed,
    /// no other test's listener can take it while this one runs.
    /// </summary>
    public int Closed()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        lock (_accepted) _accepted.Add(socket);
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Accepts connections and holds them open without reading or writing.</summary>
    public int Blackholed()
    {
        var listener = Listen();
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(_stop.Token);
                lock (_accepted) _accepted.Add(socket);
            }
        });
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Answers each request with HTTP 400 and DynamoDB's "security token is invalid" error.</summary>
    public int RefusingCredentials() => AnsweringWithError(
        "{\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\",\"message\":\"The security token included in the request is invalid.\"}",
        answered: int.MaxValue);

    /// <summary>Answers the first request with DynamoDB's ThrottlingException (retryable), then holds every later connection silent.</summary>
    public int ThrottlingOnceThenSilent() => AnsweringWithError(
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\",\"message\":\"Rate of requests exceeds the allowed throughput.\"}",
        answered: 1);

    /// <summary>Answers the first <paramref name="answered"/> requests with HTTP 400 and <paramref name="body"/>; later connections get no word.</summary>
    private int AnsweringWithError(string body, int answered)
    {
        var listener = Listen();
        var response = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
        _ = Task.Run(async () =>
        {
            for (var served = 0; !_stop.IsCancellationRequested; served++)
            {
                var socket = await listener.AcceptSocketAsync(_stop.Token);
                lock (_accepted) _accepted.Add(socket);
                if (served >= answered) continue;
                var buffer = new byte[65536];
                var request = new StringBuilder();
                // Read the headers and the small JSON body before answering, so the client sees a response, not a reset.
                while (!request.ToString().Contains("\r\n\r\n") || !request.ToString().TrimEnd().EndsWith('}'))
                {
                    var read = await socket.ReceiveAsync(buffer, _stop.Token);
                    if (read == 0) break;
                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
                await socket.SendAsync(response, _stop.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
        });
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _listeners.Add(listener);
        return listener;
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var listener in _listeners) listener.Stop();
        lock (_accepted) foreach (var socket in _accepted) socket.Dispose();
    }
}
