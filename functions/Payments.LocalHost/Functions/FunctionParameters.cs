using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Payments.LocalHost.Functions;

/// <summary>What the local host accepts in a [Function] method's signature (what our app uses).</summary>
internal static class FunctionParameters
{
    public static bool IsCancellation(ParameterInfo p) => p.ParameterType == typeof(CancellationToken);
}
