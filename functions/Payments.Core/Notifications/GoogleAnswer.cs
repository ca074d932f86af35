namespace Payments.Core.Notifications;

/// <summary>How one call to Google ended, before its method reads the answer.</summary>
internal enum GoogleCallEnd
{
    /// <summary>An HTTP answer came: <see cref="GoogleAnswer.Status"/> is set.</summary>
    Answered,
    /// <summary>Our body could not be sealed (no usable key): nothing was sent.</summary>
    NotSealed,
    TimedOut,
    TransportError,
}

/// <summary>One call's outcome. <see cref="Json"/> is the opened body of an answer; when it is null,
/// <see cref="Problem"/> says why (empty, over the size limit, not openable) or what failed.</summary>
internal sealed record GoogleAnswer(GoogleCallEnd End, int? Status, byte[]? Json, string? Problem, bool TooLarge = false);
