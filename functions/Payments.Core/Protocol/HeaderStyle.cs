namespace Payments.Core.Protocol;

/// <summary>The two header styles of docs/protocol.md §3.</summary>
public enum HeaderStyle { V1, V2 }
