namespace Payments.Tests.TestSupport;

/// <summary>
/// The values of the "Category" trait every test carries (on its class, or on the method where a class mixes
/// kinds). <c>dotnet test --filter Category=Unit</c> is the fast subset.
/// </summary>
public static class Category
{
    /// <summary>In-process only: no Azurite, no local host, no GnuPG, no child process (in-process HTTP stand-ins are fine).</summary>
    public const string Unit = "Unit";
    /// <summary>Against Azurite, without a local host.</summary>
    public const string Storage = "Storage";
    /// <summary>A local host (in-process or child process) or the worker app over HTTP, on Azurite.</summary>
    public const string EndToEnd = "EndToEnd";
    /// <summary>Against GnuPG.</summary>
    public const string Interop = "Interop";
    /// <summary>The chaos soak.</summary>
    public const string Soak = "Soak";
    /// <summary>Compiles infra/ with the Bicep CLI or reads the published app (scripts/publish.sh).</summary>
    public const string Consistency = "Consistency";

    public static readonly string[] All = [Unit, Storage, EndToEnd, Interop, Soak, Consistency];
}
