using Payments.Core.Hosting;

namespace Payments.Tests.Consistency;

/// <summary>infra/ declares exactly the tables and queues (with their -poison twins) the code uses.</summary>
public class StorageConsistencyTests
{
    [Fact]
    public void Infra_declares_every_table_and_no_other()
    {
        var declared = Infra.StringArrayVariable(Infra.StorageModule, "tableNames");
        Repo.NoProblems($"Tables of TableNames.All not declared in {Infra.StorageModule} (var tableNames)",
            TableNames.All.Where(t => !declared.Contains(t)));
        Repo.NoProblems($"Tables declared in {Infra.StorageModule} that are not in TableNames.All",
            declared.Where(t => !TableNames.All.Contains(t)));
    }

    [Fact]
    public void Infra_declares_every_queue_and_its_poison_twin_and_no_other()
    {
        var declared = Infra.StringArrayVariable(Infra.StorageModule, "queueNames");
        var expected = QueueNames.All.SelectMany(q => new[] { q, QueueNames.Poison(q) }).ToList();
        Repo.NoProblems($"Queues of QueueNames.All (or their -poison twins) not declared in {Infra.StorageModule} (var queueNames)",
            expected.Where(q => !declared.Contains(q)));
        Repo.NoProblems($"Queues declared in {Infra.StorageModule} that are neither in QueueNames.All nor a -poison twin",
            declared.Where(q => !expected.Contains(q)));
    }

    [Fact]
    public void Table_and_queue_names_are_valid_Azure_names()
    {
        // Tables: 3-63 alphanumeric, starting with a letter. Queues: 3-63 lowercase letters, digits, single dashes.
        Repo.NoProblems("Invalid table names", TableNames.All.Where(t => !System.Text.RegularExpressions.Regex.IsMatch(t, "^[A-Za-z][A-Za-z0-9]{2,62}$")));
        Repo.NoProblems("Invalid queue names", QueueNames.All.Select(QueueNames.Poison).Concat(QueueNames.All)
            .Where(q => !System.Text.RegularExpressions.Regex.IsMatch(q, "^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")));
    }
}
