using Payments.Core.Transactions;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Protocol;

[Trait("Category", Category.Unit)]
public sealed class ReferenceNumberDigitsTests
{
    [Fact]
    public void A_number_is_sixteen_digits_without_a_leading_zero()
    {
        for (var i = 0; i < 2_000; i++)
        {
            var number = ReferenceNumberIssuer.NewNumber();
            Assert.Equal(ReferenceNumberIssuer.Digits, number.Length);
            Assert.All(number, c => Assert.InRange(c, '0', '9'));
            Assert.NotEqual('0', number[0]);
        }
    }

    [Fact]
    public void Every_position_draws_its_digits_uniformly()
    {
        // 100,000 numbers: each later position sees each digit ~10,000 times. Uniform digits give a
        // chi-square (9 degrees of freedom, 8 for the first position) above 50 once in ten million
        // positions; a digit drawn a tenth more often than the others gives about 100.
        const int draws = 100_000;
        var counts = new int[ReferenceNumberIssuer.Digits, 10];
        for (var i = 0; i < draws; i++)
        {
            var number = ReferenceNumberIssuer.NewNumber();
            for (var p = 0; p < number.Length; p++) counts[p, number[p] - '0']++;
        }
        for (var p = 0; p < ReferenceNumberIssuer.Digits; p++)
        {
            var first = p == 0 ? 1 : 0;
            var expected = (double)draws / (10 - first);
            var chiSquare = 0.0;
            for (var d = first; d < 10; d++) chiSquare += Math.Pow(counts[p, d] - expected, 2) / expected;
            Assert.True(chiSquare < 50, $"position {p}: chi-square {chiSquare:0.0}");
        }
    }
}
