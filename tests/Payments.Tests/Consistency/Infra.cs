namespace Payments.Tests.Consistency;

/// <summary>Where infra/ is (what it compiles to: <see cref="Bicep"/>).</summary>
internal static class Infra
{
    public const string Folder = "infra";
    public const string Main = "infra/main.bicep";

    public static IReadOnlyList<string> BicepFiles => Repo.Files(Folder, ".bicep");
}
