namespace Reliability.Grains;

/// <summary>
/// PostgreSQL could not be reached while a grain served a call. It crosses grain boundaries (the
/// store's own exceptions cannot), so the API can answer 503 instead of 500.
/// </summary>
[GenerateSerializer]
[Alias("Reliability.Grains.RecordStoreUnavailableException")]
public sealed class RecordStoreUnavailableException : Exception
{
    public RecordStoreUnavailableException()
    {
    }

    public RecordStoreUnavailableException(string message)
        : base(message)
    {
    }

    public RecordStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
