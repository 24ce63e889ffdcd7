namespace Reliability.Grains.Records;

/// <summary>
/// The recording time the store gives what a transaction writes: the transaction's time, as the
/// event rows appended to existing streams are stamped (<c>StreamAppends</c>, and Marten's quick
/// append). Rows that a read known at a moment cuts beside the events (<see cref="HandleHolders"/>,
/// the truth estimate's history) take the same stamp, so the events and they agree on what was
/// recorded by then.
/// </summary>
internal static class RecordingTime
{
    public const string Now = "(now() at time zone 'utc')";
}
