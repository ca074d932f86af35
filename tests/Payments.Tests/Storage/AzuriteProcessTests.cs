using Payments.StandIns.Azurite;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Storage;

[Trait("Category", Category.Storage)]
public class AzuriteProcessTests
{
    [Fact]
    public async Task Shared_instance_is_one_per_process_and_not_on_default_ports()
    {
        var a = await AzuriteProcess.SharedAsync();
        var b = await AzuriteProcess.SharedAsync();
        Assert.Same(a, b);
        Assert.NotEqual(10002, a.TablePort);
        Assert.Equal($"http://127.0.0.1:{a.TablePort}/devstoreaccount1", a.TableEndpoint.ToString().TrimEnd('/'));
        Assert.Contains($"QueueEndpoint=http://127.0.0.1:{a.QueuePort}/devstoreaccount1", a.ConnectionString);
    }

    [Fact]
    public async Task Own_instance_starts_on_other_ports_and_dispose_kills_it()
    {
        var shared = await AzuriteProcess.SharedAsync();
        var own = await AzuriteProcess.StartAsync();
        Assert.NotEqual(shared.TablePort, own.TablePort);
        Assert.NotEqual(shared.QueuePort, own.QueuePort);
        var pids = own.ProcessIds;
        Assert.Equal(2, pids.Distinct().Count());
        await own.DisposeAsync();
        Assert.True(own.HasExited);
        foreach (var pid in pids) Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(pid));
    }

    [Fact]
    public async Task Missing_node_modules_gives_a_clear_error()
    {
        var root = Directory.CreateTempSubdirectory("no-azurite-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "package.json"), "{}");
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => AzuriteProcess.StartAsync(root, CancellationToken.None));
            Assert.Contains("npm ci", e.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
