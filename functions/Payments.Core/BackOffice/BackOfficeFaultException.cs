namespace Payments.Core.BackOffice;

/// <param name="unavailable">the back office did not answer usefully (timeout, transport error, 5xx, login failed):
/// down for every booking, not a problem of this one</param>
public sealed class BackOfficeFaultException(string message, Exception? inner = null, bool unavailable = false) : Exception(message, inner)
{
    public bool Unavailable { get; } = unavailable;
}
