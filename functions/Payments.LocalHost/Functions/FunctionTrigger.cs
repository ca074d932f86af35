using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Payments.LocalHost.Functions;

public abstract record FunctionTrigger;
