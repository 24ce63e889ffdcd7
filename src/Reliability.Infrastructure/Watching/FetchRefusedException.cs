namespace Reliability.Infrastructure.Watching;

public enum FetchRefusal
{
    Scheme,
    Address,
    TooManyRedirects,
    InvalidUrl,
}

/// <summary>A request the guard would not make: retrying it cannot help, and it says nothing about the post.</summary>
public sealed class FetchRefusedException(FetchRefusal reason, string message) : Exception(message)
{
    public FetchRefusal Reason { get; } = reason;
}
