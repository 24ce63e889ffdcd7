using Polly;
using Polly.Retry;
using Polly.Testing;
using Polly.Timeout;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Infrastructure.Tests.Webhooks;

public sealed class WebhookPipelineTests
{
    [Fact]
    public void Deliveries_retry_with_jittered_exponential_backoff_around_an_attempt_timeout()
    {
        var options = new WebhookOptions { MaxAttempts = 6, AttemptTimeout = TimeSpan.FromSeconds(7) };

        var strategies = WebhookDispatcher.CreatePipeline(options, TimeProvider.System).GetPipelineDescriptor().Strategies;

        Assert.Collection(
            strategies,
            s =>
            {
                var retry = Assert.IsType<RetryStrategyOptions<int>>(s.Options);
                Assert.Equal((5, DelayBackoffType.Exponential, true), (retry.MaxRetryAttempts, retry.BackoffType, retry.UseJitter));
                Assert.Equal((options.RetryBaseDelay, options.RetryMaxDelay), (retry.Delay, retry.MaxDelay));
            },
            s => Assert.Equal(TimeSpan.FromSeconds(7), Assert.IsType<TimeoutStrategyOptions>(s.Options).Timeout));
    }

    [Fact]
    public void One_attempt_means_no_retry_strategy()
    {
        var strategies = WebhookDispatcher.CreatePipeline(new WebhookOptions { MaxAttempts = 1 }, TimeProvider.System)
            .GetPipelineDescriptor().Strategies;

        Assert.IsType<TimeoutStrategyOptions>(Assert.Single(strategies).Options);
    }

    [Theory]
    [InlineData(200, false)]
    [InlineData(204, false)]
    [InlineData(307, true)]
    [InlineData(400, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    public void Any_non_2xx_answer_is_retried(int status, bool retried)
    {
        Assert.Equal(retried, WebhookDispatcher.ShouldRetry(Outcome.FromResult(status)));
    }

    [Fact]
    public void A_refused_target_is_not_retried_but_network_errors_and_timeouts_are()
    {
        Assert.False(WebhookDispatcher.ShouldRetry(Outcome.FromException<int>(
            new Infrastructure.Watching.FetchRefusedException(Infrastructure.Watching.FetchRefusal.Address, "no"))));
        Assert.True(WebhookDispatcher.ShouldRetry(Outcome.FromException<int>(new HttpRequestException("reset"))));
        Assert.True(WebhookDispatcher.ShouldRetry(Outcome.FromException<int>(new TimeoutRejectedException())));
    }
}
