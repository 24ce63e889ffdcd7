using Reliability.Infrastructure.Database;

namespace Reliability.Infrastructure.Tests.Database;

public sealed class ChannelListenerTests
{
    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(6, 6_400)]
    [InlineData(7, 10_000)]
    [InlineData(40, 10_000)]
    [InlineData(int.MaxValue, 10_000)]
    public void A_listener_losing_its_connection_again_and_again_waits_longer_each_time_up_to_ten_seconds(int quickLosses, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ChannelListener.PauseAfter(quickLosses));
}
