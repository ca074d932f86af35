using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Payments.LocalHost.Functions;

/// <param name="QueueName">as written in the attribute (may be a %setting%)</param>
/// <param name="Connection">the connection name the host resolves (see <see cref="Payments.Core.Hosting.ConnectionSetting"/>)</param>
public sealed record QueueFunctionTrigger(string QueueName, string Connection) : FunctionTrigger;
