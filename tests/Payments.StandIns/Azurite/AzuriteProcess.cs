using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Payments.StandIns.Azurite;

/// <summary>
/// Azurite (pinned in the repository's package.json) on free ports: its Table and Queue services in
/// two node processes. Azurite serves every request on one JavaScript thread, and its queue
/// operations rebuild the message indexes each time; in one process they hold up the table reads
/// and commits every protocol call waits for. Tables are in memory. Queues keep their messages in a
/// temporary folder (deleted on dispose): in memory, every message is an extent of its own, and
/// Azurite's extent collector, once a minute, deletes them one by one with an index rebuild each,
/// which froze the queue service for seconds after a minute of load. Tests share one instance per process
/// (<see cref="SharedAsync"/>) and use unique table and queue names. The children exit by
/// themselves when this process goes away (a small watchdog preloaded into node watches its stdin
/// pipe and its parent pid), so no orphans remain.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account (public value, not a secret).</summary>
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly object SharedLock = new();
    private static Task<AzuriteProcess>? _shared;

    private readonly AzuriteService _tables;
    private readonly AzuriteService _queues;
    private int _disposed;

    private AzuriteProcess(AzuriteService tables, AzuriteService queues)
    {
        _tables = tables;
        _queues = queues;
        TableEndpoint = new Uri($"http://127.0.0.1:{tables.Port}/{AccountName}");
        QueueEndpoint = new Uri($"http://127.0.0.1:{queues.Port}/{AccountName}");
    }

    public int TablePort => _tables.Port;
    public int QueuePort => _queues.Port;
    /// <summary>Path-style: <c>http://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public Uri TableEndpoint { get; }
    public Uri QueueEndpoint { get; }
    public bool HasExited => _tables.HasExited || _queues.HasExited;
    /// <summary>The node processes serving tables and queues.</summary>
    public IReadOnlyList<int> ProcessIds => [_tables.ProcessId, _queues.ProcessId];

    /// <summary>Explicit connection string with the development key and this instance's endpoints.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};";

    /// <summary>One instance per test process, started on first use, killed when the process exits.</summary>
    public static Task<AzuriteProcess> SharedAsync()
    {
        lock (SharedLock)
        {
            if (_shared is null || _shared.IsFaulted || _shared.IsCanceled ||
                (_shared.IsCompletedSuccessfully && _shared.Result.HasExited))
            {
                var first = _shared is null;
                _shared = StartAsync();
                if (first)
                {
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => KillShared();
                }
            }
            return _shared;
        }
    }

    private static void KillShared()
    {
        Task<AzuriteProcess>? shared;
        lock (SharedLock) shared = _shared;
        if (shared is { IsCompletedSuccessfully: true })
        {
            shared.Result.Kill();
        }
    }

    /// <summary>Starts a new Azurite from the repository's node_modules; the caller disposes it.</summary>
    public static Task<AzuriteProcess> StartAsync(CancellationToken ct = default) => StartAsync(FindRepositoryRoot(), ct);

    /// <summary>Starts a new Azurite from <paramref name="root"/>/node_modules; the caller disposes it.</summary>
    public static async Task<AzuriteProcess> StartAsync(string root, CancellationToken ct)
    {
        var dist = Path.Combine(root, "node_modules", "azurite", "dist", "src");
        if (!File.Exists(Path.Combine(dist, "table", "main.js")) || !File.Exists(Path.Combine(dist, "queue", "main.js")))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: '{dist}' is missing. Run `npm ci --no-audit --no-fund` in '{root}' once " +
                "(it installs the Azurite version pinned in package.json into node_modules/).");
        }
        var watchdog = await WriteWatchdogAsync(ct);
        string[] common = ["--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--silent", "--disableTelemetry"];

        // The queue service prints the port it got; the table service prints the port it was asked
        // for, so it gets a free one picked here (and another try should someone take it first).
        var queueFolder = Directory.CreateTempSubdirectory("payments-azurite-queues-").FullName;
        AzuriteService queues;
        try
        {
            queues = await AzuriteService.StartAsync(root, watchdog, Path.Combine(dist, "queue", "main.js"),
                [.. common, "--location", queueFolder, "--queueHost", "127.0.0.1", "--queuePort", "0"], port: null, ct, queueFolder);
        }
        catch
        {
            TryDeleteFolder(queueFolder);
            throw;
        }
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort();
                try
                {
                    var tables = await AzuriteService.StartAsync(root, watchdog, Path.Combine(dist, "table", "main.js"),
                        [.. common, "--inMemoryPersistence", "--tableHost", "127.0.0.1", "--tablePort", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], port, ct);
                    return new AzuriteProcess(tables, queues);
                }
                catch (InvalidOperationException) when (attempt < 3) { }
            }
        }
        catch
        {
            await queues.DisposeAsync();
            throw;
        }
    }

    private static void TryDeleteFolder(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try { return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    /// <summary>The Azurite console output so far (diagnostics).</summary>
    public string Output => _tables.Output + _queues.Output;

    private void Kill()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _tables.Kill();
        _queues.Kill();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _tables.DisposeAsync();
        await _queues.DisposeAsync();
    }

    /// <summary>One Azurite service in its own node process.</summary>
    /// <param name="folder">the service's data folder, deleted when it is disposed (null: in memory)</param>
    private sealed class AzuriteService(Process process, StringBuilder output, int port, string? folder) : IAsyncDisposable
    {
        public int Port { get; } = port;
        public int ProcessId { get; } = process.Id;
        public string Output { get { lock (output) return output.ToString(); } }
        public bool HasExited
        {
            get
            {
                try { return process.HasExited; }
                catch (InvalidOperationException) { return true; } // disposed
            }
        }

        /// <param name="port">the port asked for, or null to read it from the service's output</param>
        public static async Task<AzuriteService> StartAsync(string root, string watchdog, string script, string[] args, int? port, CancellationToken ct, string? folder = null)
        {
            var psi = new ProcessStartInfo("node")
            {
                WorkingDirectory = root,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.Environment["AZURITE_WATCHDOG_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            psi.Environment["AZURITE_KEEPALIVE_MS"] = "120000";
            psi.ArgumentList.Add("--require");
            psi.ArgumentList.Add(watchdog);
            psi.ArgumentList.Add(script);
            foreach (var arg in args) psi.ArgumentList.Add(arg);

            var output = new StringBuilder();
            var listening = 0;
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnLine(string? line)
            {
                if (line is null) return;
                lock (output)
                {
                    if (output.Length < 64 * 1024) output.AppendLine(line);
                    if (ListeningLine().Match(line) is { Success: true } m)
                    {
                        listening = int.Parse(m.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
                        if (port is null || listening == port) ready.TrySetResult();
                    }
                    else if (port is not null && StartedLine().IsMatch(line))
                    {
                        listening = port.Value;
                        ready.TrySetResult();
                    }
                }
            }

            Process process;
            try
            {
                process = new Process { StartInfo = psi, EnableRaisingEvents = true };
                process.OutputDataReceived += (_, e) => OnLine(e.Data);
                process.ErrorDataReceived += (_, e) => OnLine(e.Data);
                process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("Azurite exited during start-up."));
                if (!process.Start())
                {
                    throw new InvalidOperationException("Could not start node.");
                }
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("Could not start `node` (is Node.js on PATH?) to run Azurite.", e);
            }
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            try
            {
                await ready.Task.WaitAsync(StartTimeout, ct);
            }
            catch (Exception e)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                string text;
                lock (output) text = output.ToString();
                throw new InvalidOperationException($"Azurite ({Path.GetFileName(Path.GetDirectoryName(script))}) did not start ({e.GetType().Name}: {e.Message}). Its output:\n{text}", e);
            }
            return new AzuriteService(process, output, listening, folder);
        }

        public void Kill()
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException) { }
            catch (System.ComponentModel.Win32Exception) { }
            if (folder is not null) TryDeleteFolder(folder);
        }

        public async ValueTask DisposeAsync()
        {
            Kill();
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException) { }
            catch (InvalidOperationException) { }
            process.Dispose();
            if (folder is not null) TryDeleteFolder(folder);
        }
    }

    /// <summary>Walks up from the test assembly's folder to the folder holding package.json.</summary>
    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "package.json"))) return dir.FullName;
        }
        throw new InvalidOperationException(
            $"No package.json found above '{AppContext.BaseDirectory}': cannot locate the repository root and its node_modules/azurite.");
    }

    /// <summary>The watchdog script in the temp folder, named by its content hash (shared by all runs, never deleted).</summary>
    private static async Task<string> WriteWatchdogAsync(CancellationToken ct)
    {
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(WatchdogScript)))[..16].ToLowerInvariant();
        var path = Path.Combine(Path.GetTempPath(), $"payments-azurite-watchdog-{hash}.js");
        if (File.Exists(path)) return path;
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllTextAsync(temp, WatchdogScript, ct);
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException)
        {
            TryDelete(temp);
            if (!File.Exists(path)) throw;
        }
        return path;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [GeneratedRegex(@"Azurite (?<service>Table|Queue) service (is )?successfully listen(s|ing) (at|on) https?://[^:/\s]+:(?<port>\d+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"Azurite Table service successfully started on ")]
    private static partial Regex StartedLine();

    // Preloaded into node: exits when our stdin pipe closes (this process died) or the parent pid is gone.
    private const string WatchdogScript = """
        'use strict';
        const parent = Number(process.env.AZURITE_WATCHDOG_PARENT_PID || 0);
        const bye = () => process.exit(0);
        process.stdin.on('end', bye);
        process.stdin.on('close', bye);
        process.stdin.on('error', bye);
        process.stdin.resume();
        setInterval(() => {
          if (parent > 0) { try { process.kill(parent, 0); } catch (e) { if (e.code === 'ESRCH') bye(); } }
        }, 1000).unref();
        // Idle connections stay open as long as our clients keep them (the queue service has no
        // option for it and would close them after 5 s, racing the client's next request).
        const keepAlive = Number(process.env.AZURITE_KEEPALIVE_MS || 0);
        if (keepAlive > 0) {
          Object.defineProperty(require('http').Server.prototype, 'keepAliveTimeout', {
            configurable: true,
            get() { return this._paymentsKeepAlive; },
            set(value) { this._paymentsKeepAlive = Math.max(Number(value) || 0, keepAlive); },
          });
        }
        """;
}
