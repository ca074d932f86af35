using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Payments.Core.Idempotency;

namespace Payments.StandIns.Chaos;

/// <summary>
/// The built <c>Payments.LocalHost</c> in its own process (<c>dotnet Payments.LocalHost.dll --urls …</c>),
/// configured only through environment variables, on a port chosen once and kept across restarts so that
/// clients keep their base address. <see cref="KillAsync"/> is a SIGKILL of the whole process tree (no
/// graceful stop, no flush); <see cref="RestartAsync"/> starts it again with the same settings. Every line
/// the process writes to stdout/stderr is kept (across restarts) for diagnostics and secret checks. A small
/// shell watchdog kills the host if this process disappears, so no orphan outlives a test run.
/// </summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<LocalHostProcess, byte> Live = new();
    private static int _exitHookInstalled;

    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _dll;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;
    private int _generation;

    private LocalHostProcess(string dll, int port, IReadOnlyDictionary<string, string> environment, string name)
    {
        _dll = dll;
        Port = port;
        _environment = environment;
        Name = name;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public string Name { get; }
    public int Port { get; }
    public Uri BaseAddress { get; }
    /// <summary>How many times the process was started.</summary>
    public int Generation => _generation;
    public bool IsRunning => _process is { } p && !HasExited(p);
    public int? ProcessId => _process?.Id;

    /// <summary>Every output line of every generation, prefixed with the generation number.</summary>
    public IReadOnlyCollection<string> Output => _output;

    /// <summary>Starts the host and waits for <c>/health</c> to answer 200.</summary>
    /// <param name="environment">settings as environment variables (<c>Section__Key</c>)</param>
    /// <param name="dll">another build of the host (e.g. a ReadyToRun publish); the built one when null</param>
    public static async Task<LocalHostProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string name = "host", int? port = null, CancellationToken cancellationToken = default, string? dll = null)
    {
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) => { foreach (var host in Live.Keys) host.KillNow(); };
        var host = new LocalHostProcess(dll ?? FindLocalHostDll(), port ?? FreePort(), environment, name);
        Live[host] = 0;
        await host.LaunchAsync(cancellationToken).ConfigureAwait(false);
        return host;
    }

    /// <summary>A free TCP port on 127.0.0.1 (bound and released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary><c>functions/Payments.LocalHost/bin/{Configuration}/net10.0/Payments.LocalHost.dll</c>, the
    /// configuration of the running assembly first (Debug tests → Debug host).</summary>
    public static string FindLocalHostDll()
    {
        var root = RepositoryRoot();
        var baseDir = AppContext.BaseDirectory.Replace('\\', '/');
        var preferred = baseDir.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        foreach (var configuration in new[] { preferred, preferred == "Release" ? "Debug" : "Release" })
        {
            var path = Path.Combine(root, "functions", "Payments.LocalHost", "bin", configuration, "net10.0", "Payments.LocalHost.dll");
            if (File.Exists(path)) return path;
        }
        throw new InvalidOperationException($"Payments.LocalHost.dll is not built under {root}/functions/Payments.LocalHost/bin/; run `dotnet build` first.");
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Payments.Functions.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (Payments.Functions.sln) not found above " + AppContext.BaseDirectory);
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var generation = Interlocked.Increment(ref _generation);
        var parent = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        // bash runs the host and a watchdog that SIGKILLs it when the test process is gone.
        var script = "dotnet \"$0\" \"$@\" & c=$!; ( while kill -0 " + parent + " 2>/dev/null; do sleep 1; done; kill -9 $c 2>/dev/null ) & w=$!; wait $c; rc=$?; kill $w 2>/dev/null; exit $rc";
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
        };
        foreach (var arg in new[] { "-c", script, _dll, "--urls", $"http://127.0.0.1:{Port}" }) psi.ArgumentList.Add(arg);
        // Nothing inherited from the test process may leak in (e.g. ASPNETCORE_URLS).
        psi.Environment.Remove("ASPNETCORE_URLS");
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in _environment) psi.Environment[k] = v;

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue($"[{Name}#{generation}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue($"[{Name}#{generation} err] {e.Data}"); };
        if (!process.Start()) throw new InvalidOperationException("could not start the local host");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitHealthyAsync(process, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitHealthyAsync(Process process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (HasExited(process))
                throw new InvalidOperationException($"the local host exited with {process.ExitCode} before it was healthy:\n{Tail(40)}");
            try
            {
                using var response = await http.GetAsync("health", cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"the local host was not healthy within {timeout.TotalSeconds:0} s:\n{Tail(40)}");
    }

    /// <summary>The last lines of output (for failure messages).</summary>
    public string Tail(int lines) => string.Join('\n', _output.TakeLast(lines));

    /// <summary>SIGKILL of the whole process tree; returns once it is gone.</summary>
    public async Task KillAsync()
    {
        var process = _process;
        if (process is null) return;
        KillNow();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try { await process.WaitForExitAsync(wait.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
    }

    private void KillNow()
    {
        var process = _process;
        if (process is null) return;
        try
        {
            if (!HasExited(process)) process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>Kills (if running) and starts again on the same port with the same settings.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
        _process = null;
        await LaunchAsync(cancellationToken).ConfigureAwait(false);
    }

    private static bool HasExited(Process p)
    {
        try { return p.HasExited; }
        catch (InvalidOperationException) { return true; }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
        _process = null;
        Live.TryRemove(this, out _);
    }
}
