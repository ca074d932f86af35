using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Payments.LocalHost.Functions;

/// <summary>One [Function] method of the Functions app with its trigger, read from the Worker attributes
/// the Functions host reads (through functions.metadata) in Azure.</summary>
public sealed record AppFunction(string Name, MethodInfo Method, FunctionTrigger Trigger)
{
    /// <summary>An HTTP function, bound as the Worker binds it: the trigger parameter is the request, other
    /// strings are the route values of the same name; the class comes from the request's services.</summary>
    public async Task<IActionResult> InvokeHttpAsync(HttpRequest request, CancellationToken cancellationToken) =>
        (IActionResult)(await InvokeAsync(request.HttpContext.RequestServices, p =>
            p.ParameterType == typeof(HttpRequest) ? request
            : FunctionParameters.IsCancellation(p) ? cancellationToken
            : request.RouteValues[p.Name!]?.ToString()))!;

    /// <summary>A queue function with the message text the queue delivers (decoded per host.json).</summary>
    public Task InvokeQueueAsync(IServiceProvider services, string message, CancellationToken cancellationToken) =>
        InvokeAsync(services, p => FunctionParameters.IsCancellation(p) ? cancellationToken : message);

    /// <summary>A timer function with the schedule's <see cref="TimerInfo"/>.</summary>
    public Task InvokeTimerAsync(IServiceProvider services, TimerInfo timer, CancellationToken cancellationToken) =>
        InvokeAsync(services, p => FunctionParameters.IsCancellation(p) ? cancellationToken : timer);

    /// <summary>Creates the function's class from <paramref name="services"/> as the Worker does (a new
    /// instance per invocation, constructor arguments from the container) and calls the method with
    /// <paramref name="arguments"/> for its parameters.</summary>
    private async Task<object?> InvokeAsync(IServiceProvider services, Func<ParameterInfo, object?> arguments)
    {
        var instance = Method.IsStatic ? null : (_factory ??= ActivatorUtilities.CreateFactory(Method.DeclaringType!, Type.EmptyTypes))(services, null);
        var parameters = _parameters ??= Method.GetParameters();
        var values = new object?[parameters.Length];
        for (var i = 0; i < values.Length; i++) values[i] = arguments(parameters[i]);
        object? result;
        try
        {
            result = Method.Invoke(instance, values);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
        switch (result)
        {
            case Task<IActionResult> action: return await action;
            case Task task: await task; return null;
            default: return result;
        }
    }

    // Looked up once (a race only computes the same value twice).
    private ObjectFactory? _factory;
    private ParameterInfo[]? _parameters;

    public override string ToString() => $"{Name} ({Method.DeclaringType?.Name}.{Method.Name})";
}
