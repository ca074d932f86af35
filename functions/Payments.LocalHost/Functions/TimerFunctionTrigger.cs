using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Payments.LocalHost.Functions;

public sealed record TimerFunctionTrigger(string Schedule, bool RunOnStartup) : FunctionTrigger;
