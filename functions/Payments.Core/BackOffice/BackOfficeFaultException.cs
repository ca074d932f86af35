namespace Payments.Core.BackOffice;

public sealed class BackOfficeFaultException(string message, Exception? inner = null) : Exception(message, inner);
