using System.Diagnostics;
using System.Text;

namespace Payments.Tests.Security;

/// <summary>The GnuPG command line in a throwaway home directory (the "Google side" of interop tests).</summary>
public sealed class Gpg : IDisposable
{
    public Gpg()
    {
        // Short path: gpg-agent's socket path must stay under the Unix socket length limit.
        Home = Path.Combine(OperatingSystem.IsWindows() ? Path.GetTempPath() : "/tmp", "gpgt" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Home);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Home { get; }

    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr)
    {
        public string Text => Encoding.UTF8.GetString(Stdout);
    }

    public Result Run(byte[]? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("gpg")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--batch", "--no-tty", "--homedir", Home, "--pinentry-mode", "loopback", "--trust-model", "always" }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdoutTask = Task.Run(() => { using var ms = new MemoryStream(); p.StandardOutput.BaseStream.CopyTo(ms); return ms.ToArray(); });
        var stderrTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.BaseStream.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException("gpg " + string.Join(' ', args)); }
        return new Result(p.ExitCode, stdoutTask.Result, stderrTask.Result);
    }

    public Result Must(byte[]? stdin, params string[] args)
    {
        var r = Run(stdin, args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"gpg {string.Join(' ', args)} failed ({r.ExitCode}): {r.Stderr}");
        return r;
    }

    /// <summary>Generates a key and returns its fingerprint.</summary>
    public string GenerateKey(string userId, string algo, string usage, string expire, string passphrase = "", string? fakedTime = null)
    {
        var args = new List<string> { "--passphrase", passphrase, "--status-fd", "1" };
        if (fakedTime is not null) { args.Add("--faked-system-time"); args.Add(fakedTime); }
        args.AddRange(["--quick-gen-key", userId, algo, usage, expire]);
        var r = Must(null, [.. args]);
        var line = r.Text.Split('\n').First(l => l.StartsWith("[GNUPG:] KEY_CREATED", StringComparison.Ordinal));
        return line.Split(' ')[3].Trim();
    }

    public void AddSubkey(string fingerprint, string algo, string usage, string expire, string passphrase = "", string? fakedTime = null)
    {
        var args = new List<string> { "--passphrase", passphrase };
        if (fakedTime is not null) { args.Add("--faked-system-time"); args.Add(fakedTime); }
        args.AddRange(["--quick-add-key", fingerprint, algo, usage, expire]);
        Must(null, [.. args]);
    }

    public string ExportPublic(string fingerprint) => Must(null, "--armor", "--export", fingerprint).Text;

    public string ExportSecret(string fingerprint, string passphrase = "") =>
        Must(null, "--passphrase", passphrase, "--armor", "--export-secret-keys", fingerprint).Text;

    public void Import(string armored) => Must(Encoding.ASCII.GetBytes(armored), "--import");

    public void Dispose()
    {
        try { Process.Start(new ProcessStartInfo("gpgconf", ["--homedir", Home, "--kill", "gpg-agent"]) { UseShellExecute = false })?.WaitForExit(10_000); }
        catch (System.ComponentModel.Win32Exception) { }
        try { Directory.Delete(Home, true); } catch (IOException) { }
    }
}
