namespace Payments.Conformance;

/// <summary>A check's failure, with the short reason printed on its line.</summary>
public sealed class CheckFailedException(string reason) : Exception(reason);

/// <summary>Thrown by a check that cannot run here (printed as SKIP with the reason).</summary>
public sealed class CheckSkippedException(string reason) : Exception(reason);

/// <summary>Runs checks one by one and prints one line per check (<c>PASS|FAIL|SKIP name[: reason]</c>), then a summary.</summary>
public sealed class CheckReport(TextWriter output)
{
    private readonly List<(string Outcome, string Name, string Reason)> _results = [];

    public int Failed => _results.Count(r => r.Outcome == "FAIL");
    public int Skipped => _results.Count(r => r.Outcome == "SKIP");

    /// <returns>true when the check passed (later checks may depend on it)</returns>
    public async Task<bool> RunAsync(string name, Func<Task> check)
    {
        try
        {
            await check().ConfigureAwait(false);
            Add("PASS", name, "");
            return true;
        }
        catch (CheckSkippedException e) { Add("SKIP", name, e.Message); }
        catch (CheckFailedException e) { Add("FAIL", name, e.Message); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or InvalidOperationException)
        {
            Add("FAIL", name, $"{e.GetType().Name}: {e.Message}");
        }
        return false;
    }

    public void Skip(string name, string reason) => Add("SKIP", name, reason);

    private void Add(string outcome, string name, string reason)
    {
        _results.Add((outcome, name, reason));
        output.WriteLine(reason.Length == 0 ? $"{outcome} {name}" : $"{outcome} {name}: {reason}");
    }

    public void WriteSummary(IEnumerable<string> notes)
    {
        var passed = _results.Count - Failed - Skipped;
        output.WriteLine($"{_results.Count} checks: {passed} passed, {Failed} failed, {Skipped} skipped.");
        foreach (var note in notes) output.WriteLine(note);
        var failed = _results.Where(r => r.Outcome == "FAIL").Select(r => r.Name).ToList();
        if (failed.Count > 0) output.WriteLine("Failed: " + string.Join(", ", failed.Take(10)) + (failed.Count > 10 ? $" and {failed.Count - 10} more" : ""));
    }
}
