using Npgsql;

namespace Reliability.Grains.Records;

/// <summary>
/// The bookkeeping of a start-up pass that runs until it has completed once (<see cref="ClaimWithdrawalTimes"/>,
/// <see cref="HandleHolderHistory"/>): a table of the passes completed, so later starts read one row
/// instead of doing the work again, and a release that must do it again raises its pass number.
/// </summary>
internal static class CompletedPasses
{
    /// <summary>
    /// Creates the table if it is missing. "if not exists" is no guard against a copy creating the same
    /// table at the same moment (both pass the check, one fails on the catalogue's unique index), so
    /// copies started together take turns under <paramref name="creationLock"/>, an advisory lock held
    /// until <paramref name="transaction"/> ends.
    /// </summary>
    public static async Task CreateAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, string table, long creationLock, CancellationToken cancellationToken)
    {
        await using var create = new NpgsqlCommand($"""
            select pg_advisory_xact_lock({creationLock});
            create schema if not exists {schema};
            create table if not exists {schema}.{table}
            (
                pass    integer PRIMARY KEY,
                done_at timestamptz NOT NULL
            );
            """, connection, transaction);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<bool> IsDoneAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string schema, string table, int pass, CancellationToken cancellationToken)
    {
        await using var done = new NpgsqlCommand($"select exists (select 1 from {schema}.{table} where pass = {pass})", connection, transaction);
        return (bool)(await done.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Records the pass done; a second copy that ran it too records nothing more.</summary>
    public static async Task RecordAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string schema, string table, int pass, CancellationToken cancellationToken)
    {
        await using var record = new NpgsqlCommand(
            $"insert into {schema}.{table} (pass, done_at) values ({pass}, now()) on conflict do nothing", connection, transaction);
        await record.ExecuteNonQueryAsync(cancellationToken);
    }
}
