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
        // Tables: 3-63 alphanumeric, starting with a letter. Queues: 3-63 lowercase letters, digits, single dashes.
        Repo.NoProblems("Invalid table names", TableNames.All.Where(t => !System.Text.RegularExpressions.Regex.IsMatch(t, "^[A-Za-z][A-Za-z0-9]{2,62}$")));
        Repo.NoProblems("Invalid queue names", QueueNames.All.Select(QueueNames.Poison).Concat(QueueNames.All)
            .Where(q => !System.Text.RegularExpressions.Regex.IsMatch(q, "^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")));
    }
}
