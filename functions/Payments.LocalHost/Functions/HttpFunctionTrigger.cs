using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Payments.LocalHost.Functions;

/// <param name="Methods">lower-case HTTP methods</param>
/// <param name="Route">relative to host.json's routePrefix (which is "")</param>
public sealed record HttpFunctionTrigger(AuthorizationLevel AuthorizationLevel, IReadOnlyList<string> Methods, string Route) : FunctionTrigger;
