using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;

namespace Reliability.Grains.Tests;

public sealed class RecordErrorsTests
{
    [Fact]
    public void Store_exceptions_leave_a_grain_as_a_type_every_client_can_read()
    {
        var failure = new AggregateException(new NpgsqlException("connection refused"));

        Assert.True(RecordErrors.IsStoreException(failure));
        var translated = RecordErrors.Translate(new NpgsqlException("connection refused"));
        Assert.IsType<InvalidOperationException>(translated);
        Assert.Null(translated.InnerException);
        Assert.Contains("connection refused", translated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_store_stays_recognisable_across_the_grain_boundary()
    {
        var refused = new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused));

        var translated = RecordErrors.Translate(new InvalidOperationException("wrapped", refused));

        Assert.IsType<RecordStoreUnavailableException>(translated);
        Assert.Null(translated.InnerException);
        Assert.Contains("Failed to connect", translated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_store_survives_Orleans_serialization_as_itself()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();

        var copy = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(new RecordStoreUnavailableException("PostgreSQL is down")));

        Assert.IsType<RecordStoreUnavailableException>(copy);
        Assert.Equal("PostgreSQL is down", copy.Message);
    }

    [Fact]
    public void Other_exceptions_pass_through()
    {
        Assert.False(RecordErrors.IsStoreException(new ArgumentException("bad id")));
        Assert.False(RecordErrors.IsStoreException(new InvalidOperationException("no", new TimeoutException())));
    }
}
