using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Payments.StandIns.Chaos;

/// <summary>
/// A TCP proxy on <c>127.0.0.1:0</c> in front of one local port (Azurite's table or queue endpoint):
/// adds a settable latency to every chunk it forwards, and can go <see cref="Down"/> — every open
/// connection is reset and new ones are accepted and reset at once — to make the target briefly
/// unreachable. Only ever forwards to 127.0.0.1.
/// </summary>
public sealed class TcpDelayProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, (Socket Client, Socket Upstream)> _open = new();
    private readonly Task _acceptLoop;
    private long _nextId;
    private long _accepted;
    private long _refused;
    private long _resets;
    private long _bytes;
    private long _delayTicks;
    private volatile bool _down;

    private TcpDelayProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public static TcpDelayProxy Start(int targetPort) => new(targetPort);

    /// <summary>Where clients connect: 127.0.0.1:<see cref="Port"/>.</summary>
    public int Port { get; }
    public int TargetPort => _targetPort;

    /// <summary>Added before each chunk is forwarded (both directions).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>true: resets every open connection and every new one until set back to false.</summary>
    public bool Down
    {
        get => _down;
        set
        {
            _down = value;
            if (value) ResetAll();
        }
    }

    public long Accepted => Interlocked.Read(ref _accepted);
    public long Refused => Interlocked.Read(ref _refused);
    public long Resets => Interlocked.Read(ref _resets);
    public long BytesForwarded => Interlocked.Read(ref _bytes);
    public int OpenConnections => _open.Count;

    /// <summary>Rewrites <c>http://127.0.0.1:{target}</c> in a URL to go through this proxy.</summary>
    public Uri Rewrite(Uri endpoint) => new UriBuilder(endpoint) { Host = "127.0.0.1", Port = Port }.Uri;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            if (_down)
            {
                Interlocked.Increment(ref _refused);
                Reset(client);
                continue;
            }
            Interlocked.Increment(ref _accepted);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        var id = Interlocked.Increment(ref _nextId);
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            connect.CancelAfter(TimeSpan.FromSeconds(5));
            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), connect.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            Reset(client);
            upstream.Dispose();
            return;
        }
        _open[id] = (client, upstream);
        if (_down) ResetAll();
        try
        {
            var a = PumpAsync(client, upstream);
            var b = PumpAsync(upstream, client);
            await Task.WhenAny(a, b).ConfigureAwait(false);
            // One side finished: let the other drain briefly, then close both.
            await Task.WhenAny(Task.WhenAll(a, b), Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        }
        finally
        {
            _open.TryRemove(id, out _);
            Close(client);
            Close(upstream);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    try { to.Shutdown(SocketShutdown.Send); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
                    return;
                }
                var delay = Latency;
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
                if (_down) return;
                var sent = 0;
                while (sent < n) sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                Interlocked.Add(ref _bytes, n);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private void ResetAll()
    {
        foreach (var (id, pair) in _open)
        {
            if (!_open.TryRemove(id, out _)) continue;
            Interlocked.Increment(ref _resets);
            Reset(pair.Client);
            Reset(pair.Upstream);
        }
    }

    /// <summary>Closes with an RST (linger 0), as a vanished peer looks.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private static void Close(Socket socket)
    {
        try { socket.Close(); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        ResetAll();
        try { await _acceptLoop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
