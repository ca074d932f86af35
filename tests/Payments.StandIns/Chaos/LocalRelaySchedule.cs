namespace Payments.StandIns.Chaos;

/// <summary>The local host runs the OutboxRelay timer function on its attribute's schedule (every 30 s) unless
/// <c>LocalHost:TimerSchedules:OutboxRelay</c> says otherwise. Test rigs with a short relay grace run it twice
/// per grace period (at least 2 s apart), so acknowledged work whose message was lost is relayed in seconds.</summary>
public static class LocalRelaySchedule
{
    public const string Setting = "LocalHost:TimerSchedules:OutboxRelay";

    public static string ForGrace(int graceSeconds) =>
        $"*/{Math.Clamp((graceSeconds + 1) / 2, 2, 30)} * * * * *";
}
