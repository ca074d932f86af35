using System.Reflection;

namespace Payments.Tests.TestSupport;

[Trait("Category", Category.Unit)]
public sealed class CategoryTests
{
    [Fact]
    public void Every_test_has_exactly_one_known_Category()
    {
        var wrong = typeof(CategoryTests).Assembly.GetTypes()
            .Where(type => type.IsVisible) // the types xUnit discovers tests in
            .SelectMany(CategoriesOfEachTest)
            .Where(t => t.Categories.Count != 1 || !Category.All.Contains(t.Categories[0]))
            .Select(t => $"{t.Test}: [{string.Join(", ", t.Categories)}]")
            .ToList();
        Assert.True(wrong.Count == 0, $"Tests without exactly one Category trait ({string.Join(", ", Category.All)}):\n{string.Join("\n", wrong)}");
    }

    [Fact]
    public void The_check_sees_a_test_without_a_Category_and_one_with_two()
    {
        Assert.Empty(Assert.Single(CategoriesOfEachTest(typeof(Uncategorised))).Categories);
        Assert.Equal([Category.Storage, Category.Unit], Assert.Single(CategoriesOfEachTest(typeof(Twice))).Categories.Order());
        Assert.Equal([Category.Unit], CategoriesOfEachTest(typeof(CategoryTests)).First().Categories);
    }

    /// <summary>Each test method (Fact, Theory) of the type with the Category values of its class and its own.</summary>
    private static IEnumerable<(string Test, List<string> Categories)> CategoriesOfEachTest(Type type) =>
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
        where method.GetCustomAttributes<FactAttribute>(inherit: true).Any()
        select ($"{type.FullName}.{method.Name}", Categories(type).Concat(Categories(method)).ToList());

    // TraitAttribute keeps its arguments only in the metadata.
    private static IEnumerable<string> Categories(MemberInfo member) =>
        member.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == "Category")
            .Select(a => (string)a.ConstructorArguments[1].Value!);

    // Private, so xUnit does not run them: samples for the check itself.
#pragma warning disable xUnit1000 // test classes must be public: these must not run
    private sealed class Uncategorised
    {
        [Fact]
        public void Test() { }
    }

    [Trait("Category", Category.Unit)]
    private sealed class Twice
    {
        [Fact, Trait("Category", Category.Storage)]
        public void Test() { }
    }
#pragma warning restore xUnit1000
}
