namespace Paddock.Server.Hosting;

/// <summary>The store could not be opened at start: the operator gets one line saying which store and why, not a stack.</summary>
internal sealed class StoreUnavailableException(string message, Exception innerException) : Exception(message, innerException);
