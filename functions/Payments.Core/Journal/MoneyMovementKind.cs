namespace Payments.Core.Journal;

/// <summary>What a money movement is (stored as its name).</summary>
public enum MoneyMovementKind { Capture, Refund }
