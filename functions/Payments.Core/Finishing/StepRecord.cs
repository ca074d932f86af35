using System.Text.Json.Nodes;

namespace Payments.Core.Finishing;

/// <summary>One step of an operation as operators see it (kept in the <c>op|</c> row's <c>Attempts</c>).</summary>
public sealed record StepRecord(string Step, DateTimeOffset At, string Outcome, string Detail, int? HttpStatus = null);
