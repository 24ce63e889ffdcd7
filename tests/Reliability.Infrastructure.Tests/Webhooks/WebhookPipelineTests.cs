using Polly;
using Polly.CircuitBreaker;
using Polly.Testing;
using Polly.Timeout;
using Reliability.Infrastructure.Watching;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Infrastructure.Tests.Webhooks;

public sealed class WebhookPipelineTests
{
    [Fact]
    public void A_receiver_s_tries_run_under_a_circuit_breaker_around_the_attempt_timeout_and_are_not_retried_in_place()
    {
        var options = new WebhookOptions
        {
            MaxAttempts = 6, AttemptTimeout = TimeSpan.FromSeconds(7), CircuitBreakerMinimumThroughput = 4, CircuitBreakerBreakDuration = TimeSpan.FromSeconds(45),
        };
        var builder = new ResiliencePipelineBuilder<FetchResult>();

        WebhookDispatcher.ConfigureReceiver(builder, options, TimeProvider.System);

        Assert.Collection(
            builder.Build().GetPipelineDescriptor().Strategies,
            s =>
            {
                var breaker = Assert.IsType<CircuitBreakerStrategyOptions<FetchResult>>(s.Options);
                Assert.Equal((1.0, 4, TimeSpan.FromSeconds(45)), (breaker.FailureRatio, breaker.MinimumThroughput, breaker.BreakDuration));
            },
            s => Assert.Equal(TimeSpan.FromSeconds(7), Assert.IsType<TimeoutStrategyOptions>(s.Options).Timeout));
    }

    [Theory]
    [InlineData(1, 0.0, 5)]
    [InlineData(1, 0.999, 10)]
    [InlineData(2, 0.0, 10)]
    [InlineData(3, 0.0, 20)]
    [InlineData(7, 0.0, 150)]
    [InlineData(30, 0.999, 300)]
    public void Retries_back_off_exponentially_with_jitter_up_to_the_cap(int failedTries, double jitter, int expectedSeconds)
    {
        var options = new WebhookOptions { RetryBaseDelay = TimeSpan.FromSeconds(10), RetryMaxDelay = TimeSpan.FromMinutes(5) };

        var delay = WebhookDispatcher.DelayAfter(failedTries, retryAfter: null, options, jitter);

        Assert.Equal(expectedSeconds, delay.TotalSeconds, precision: 0);
    }

    [Fact]
    public void A_longer_retry_after_is_honoured_up_to_its_limit_and_a_shorter_one_does_not_hurry_the_backoff()
    {
        var options = new WebhookOptions { RetryBaseDelay = TimeSpan.FromSeconds(10), RetryAfterLimit = TimeSpan.FromMinutes(30) };

        Assert.Equal(TimeSpan.FromMinutes(15), WebhookDispatcher.DelayAfter(1, TimeSpan.FromMinutes(15), options, 0.5));
        Assert.Equal(TimeSpan.FromMinutes(30), WebhookDispatcher.DelayAfter(1, TimeSpan.FromDays(2), options, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(7.5), WebhookDispatcher.DelayAfter(1, TimeSpan.FromSeconds(1), options, 0.5));
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
    public void A_refused_target_is_not_retried_but_network_errors_timeouts_and_broken_answers_are()
    {
        Assert.False(WebhookDispatcher.ShouldRetry(Outcome.FromException<int>(
            new Infrastructure.Watching.FetchRefusedException(Infrastructure.Watching.FetchRefusal.Address, "no"))));
        Assert.True(WebhookDispatcher.ShouldRetry(Outcome.FromException<int>(new HttpRequestException("reset"))));
        Assert.True(WebhookDispatcher.ShouldRetry(Outcome.FromException<int>(new TimeoutRejectedException())));
        Assert.True(WebhookDispatcher.ShouldRetry(Outcome.FromException<int>(new HttpIOException(HttpRequestError.ResponseEnded))));
    }
}
