using Payments.Core.Idempotency;
using Payments.Core.Hosting;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Consistency;

/// <summary>The code's table and queue names are names Azure accepts (that infra/ declares exactly these:
/// <see cref="BicepWiringTests"/>, from the compiled template).</summary>
[Trait("Category", Category.Consistency)]
public class StorageConsistencyTests
{
    [Fact]
    public void Table_and_queue_names_are_valid_Azure_names()
    {
        // The longest prefix Storage:NamePrefix accepts too (StorageNamePrefixTests: a longer one stops the start).
        foreach (var prefix in new[] { "", new string('a', 24) })
        {
            // Tables: 3-63 alphanumeric, starting with a letter. Queues: 3-63 lowercase letters, digits, single dashes.
            Repo.NoProblems("Invalid table names", TableNames.All.Select(t => prefix + t).Where(t => !System.Text.RegularExpressions.Regex.IsMatch(t, "^[A-Za-z][A-Za-z0-9]{2,62}$")));
            Repo.NoProblems("Invalid queue names", QueueNames.All.Select(QueueNames.Poison).Concat(QueueNames.All).Select(q => prefix + q)
                .Where(q => !System.Text.RegularExpressions.Regex.IsMatch(q, "^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")));
        }
    }

    /// <summary>Azure runs without a prefix: the queue triggers' settings name the queues storage.bicep creates.</summary>
    [Fact]
    public void Infra_sets_no_prefix_and_the_trigger_settings_to_todays_queue_names()
    {
        var settings = Bicep.AppSettings().ToDictionary(s => s.Name, s => s.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in StorageNamesOptions.SettingsFor(""))
            Assert.True(settings.TryGetValue(name.Replace(":", "__"), out var set) && set == value, $"{name.Replace(":", "__")}: expected '{value}', infra sets '{set}'");
    }
}
