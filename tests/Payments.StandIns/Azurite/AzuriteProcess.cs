using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Payments.StandIns.Azurite;

/// <summary>
/// Azurite (pinned in the repository's package.json) in a child node process with in-memory storage
/// and OS-chosen ports. Tests share one instance per process (<see cref="SharedAsync"/>) and use
/// unique table and queue names. The child exits by itself when this process goes away (a small
/// watchdog preloaded into node watches its stdin pipe and its parent pid), so no orphans remain.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account (public value, not a secret).</summary>
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly object SharedLock = new();
    private static Task<AzuriteProcess>? _shared;

    private readonly Process _process;
    private readonly StringBuilder _output;
    private int _disposed;

    private AzuriteProcess(Process process, StringBuilder output, int tablePort, int queuePort, int blobPort)
    {
        _process = process;
        _output = output;
        TablePort = tablePort;
        QueuePort = queuePort;
        BlobPort = blobPort;
        TableEndpoint = new Uri($"http://127.0.0.1:{tablePort}/{AccountName}");
        QueueEndpoint = new Uri($"http://127.0.0.1:{queuePort}/{AccountName}");
        BlobEndpoint = new Uri($"http://127.0.0.1:{blobPort}/{AccountName}");
    }

    public int TablePort { get; }
    public int QueuePort { get; }
    public int BlobPort { get; }
    /// <summary>Path-style: <c>http://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public Uri TableEndpoint { get; }
    public Uri QueueEndpoint { get; }
    public Uri BlobEndpoint { get; }
    public int ProcessId => _process.Id;
    public bool HasExited
    {
        get
        {
            try { return _process.HasExited; }
            catch (InvalidOperationException) { return true; } // disposed
        }
    }

    /// <summary>Explicit connection string with the development key and this instance's endpoints.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};";

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
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: '{script}' is missing. Run `npm ci --no-audit --no-fund` in '{root}' once " +
                "(it installs the Azurite version pinned in package.json into node_modules/).");
        }

        var watchdog = await WriteWatchdogAsync(ct);

        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["AZURITE_WATCHDOG_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var arg in (string[])[
            "--require", watchdog, script,
            "--inMemoryPersistence", "--tablePort", "0", "--queuePort", "0", "--blobPort", "0",
            "--tableHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--blobHost", "127.0.0.1",
            "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--disableTelemetry", "--silent",
            "--tableKeepAliveTimeout", "120", "--queueKeepAliveTimeout", "120", "--blobKeepAliveTimeout", "120"])
        {
            psi.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        int table = 0, queue = 0, blob = 0;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (output)
            {
                if (output.Length < 64 * 1024) output.AppendLine(line);
                var m = ListeningLine().Match(line);
                if (m.Success)
                {
                    var port = int.Parse(m.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
                    switch (m.Groups["service"].Value)
                    {
                        case "Table": table = port; break;
                        case "Queue": queue = port; break;
                        case "Blob": blob = port; break;
                    }
                    if (table != 0 && queue != 0 && blob != 0) ready.TrySetResult();
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
            throw new InvalidOperationException($"Azurite did not start ({e.GetType().Name}: {e.Message}). Its output:\n{text}", e);
        }

        return new AzuriteProcess(process, output, table, queue, blob);
    }

    /// <summary>The Azurite console output so far (diagnostics).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    private void Kill()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) { }
        catch (InvalidOperationException) { }
        _process.Dispose();
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

    [GeneratedRegex(@"Azurite (?<service>Table|Queue|Blob) service is successfully listening at https?://[^:/\s]+:(?<port>\d+)")]
    private static partial Regex ListeningLine();

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
        """;
}
