package io.launchworker.settle;

import io.launchworker.config.WorkerConfig;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long a message that failed transiently stays invisible before its next attempt: exponential in the
 * receive count from the base delay, capped, with "equal jitter" (half fixed, half random) so a burst of
 * throttled messages does not come back in one wave. Thread-safe if the random source is.
 */
public final class RetryBackoff {
  /** SQS caps a message's visibility timeout at 12 hours. */
  private static final Duration SQS_MAX_VISIBILITY = Duration.ofHours(12);

  private final WorkerConfig.Retry settings;
  private final RandomGenerator random;

  public RetryBackoff(WorkerConfig.Retry settings, RandomGenerator random) {
    this.settings = settings;
    this.random = random;
  }

  public Duration delay(ErrorClass.Action action, int receiveCount) {
    Duration target = switch (action) {
      case RETRY_CAPACITY -> settings.capacityDelay();
      case RETRY_QUOTA -> settings.quotaDelay();
      default -> exponential(receiveCount);
    };
    long millis = target.toMillis();
    long half = millis / 2;
    long jittered = half + (half > 0 ? random.nextLong(half + 1) : 0);
    Duration result = Duration.ofMillis(jittered);
    return result.compareTo(SQS_MAX_VISIBILITY) > 0 ? SQS_MAX_VISIBILITY : result;
  }

  private Duration exponential(int receiveCount) {
    int doublings = Math.max(0, Math.min(receiveCount - 1, 30));
    long base = settings.baseDelay().toMillis();
    long cap = settings.maxDelay().toMillis();
    long value = base <= 0 ? 0 : (base > (cap >> doublings) ? cap : base << doublings);
    return Duration.ofMillis(Math.min(value, cap));
  }
}
