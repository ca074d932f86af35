using Payments.Tests.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Payments.Tests.Consistency;

namespace Payments.Tests.Architecture;

/// <summary>A reader finds a type by its name: the namespace is the folder, the file is the type.</summary>
[Trait("Category", Category.Unit)]
public sealed class SourceLayoutTests
{
    /// <summary>JSON wire records stay together per method family.</summary>
    private static bool IsWireFile(string path) =>
        Path.GetFileNameWithoutExtension(path) is var name && (name.EndsWith("Wire", StringComparison.Ordinal) || name == "WireTypes");

    /// <summary>Files holding option and name types the typed options replace; delete this list once they have moved.</summary>

    private static IEnumerable<(string Path, CompilationUnitSyntax Root)> Sources() =>
        Repo.Files("functions", ".cs").Select(path => (path, CSharpSyntaxTree.ParseText(Repo.Read(path)).GetCompilationUnitRoot()));

    [Fact]
    public void Namespaces_are_folders() =>
        Repo.NoProblems("Namespaces that are not their folder", Sources().SelectMany(source =>
        {
            // functions/Payments.Core/Security/Pgp/X.cs -> Payments.Core.Security.Pgp
            var expected = string.Join('.', source.Path.Split('/')[1..^1]);
            var declared = source.Root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().Select(n => n.Name.ToString()).ToList();
            // Program.cs with top-level statements declares no namespace; every other file declares its folder's.
            if (declared.Count == 0 && source.Root.Members.OfType<GlobalStatementSyntax>().Any()) return Array.Empty<string>();
            return declared.Count == 1 && declared[0] == expected ? Array.Empty<string>() : [$"{source.Path}: {string.Join(", ", declared.DefaultIfEmpty("(none)"))}, not {expected}"];
        }));

    [Fact]
    public void One_public_type_per_file() =>
        Repo.NoProblems("Files declaring more than one top-level public type (split them, one file per type)", Sources()
            .Where(source => !IsWireFile(source.Path))
            .Select(source => (source.Path, Types: source.Root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax)
                .OfType<BaseTypeDeclarationSyntax>().Cast<MemberDeclarationSyntax>()
                .Concat(source.Root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax).OfType<DelegateDeclarationSyntax>())
                .Where(t => t.Modifiers.Any(SyntaxKind.PublicKeyword))
                .Select(Name).ToList()))
            .Where(file => file.Types.Count > 1)
            .Select(file => $"{file.Path}: {string.Join(", ", file.Types)}"));

    private static string Name(MemberDeclarationSyntax type) => type switch
    {
        BaseTypeDeclarationSyntax t => t.Identifier.Text,
        DelegateDeclarationSyntax d => d.Identifier.Text,
        _ => type.ToString(),
    };
}
