package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.poll.Readiness.Reason;
import io.launchworker.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Readiness as a closed set of reasons, on a fake clock: each state the worker can be in names one reason, the words
 * of {@code /health/ready} agree with it, and the {@code launcher_ready} gauge has one series per reason with only
 * the current one at 1.
 */
class ReadinessTest {
  private static final Instant START = Instant.parse("2026-12-01T09:00:00Z");
  private static final Duration WINDOW = Duration.ofSeconds(30);

  private final MutableClock clock = new MutableClock(START);
  private final AtomicReference<Optional<String>> paused = new AtomicReference<>(Optional.empty());
  private final AtomicReference<Optional<String>> uncounted = new AtomicReference<>(Optional.empty());
  private final Readiness readiness = new Readiness(clock, WINDOW, paused::get, uncounted::get);

  @Test
  void eachStateNamesItsReasonAndOnlyReadyHasNoWords() {
    assertThat(readiness.reason()).isEqualTo(Reason.NO_RECEIVE_YET);

    readiness.receiveSucceeded(clock.instant());
    assertThat(readiness.reason()).isEqualTo(Reason.READY);
    assertThat(readiness.notReadyBecause()).isEmpty();

    clock.advance(WINDOW.plusSeconds(1));
    assertThat(readiness.reason()).isEqualTo(Reason.RECEIVE_STALE);

    readiness.receiveFailed("SqsException: down");
    assertThat(readiness.reason()).isEqualTo(Reason.RECEIVE_FAILING);
    assertThat(readiness.notReadyBecause()).contains("receive failing: SqsException: down");

    readiness.receiveSucceeded(clock.instant());
    uncounted.set(Optional.of("hourly instance cap: not counted"));
    assertThat(readiness.reason()).isEqualTo(Reason.CAP_NOT_COUNTED);
    assertThat(readiness.notReadyBecause()).contains("hourly instance cap: not counted");

    paused.set(Optional.of("account fault UnauthorizedOperation"));
    assertThat(readiness.reason()).as("a pause explains more than the cap").isEqualTo(Reason.ACCOUNT_PAUSED);
    assertThat(readiness.notReadyBecause()).contains("account fault UnauthorizedOperation");

    readiness.stopping();
    assertThat(readiness.reason()).isEqualTo(Reason.SHUTTING_DOWN);
    assertThat(readiness.notReadyBecause()).contains("shutting down");
  }

  @Test
  void aPollerBusyWithEveryPermitIsReadyHoweverLongSinceItsLastReceive() {
    readiness.receiveSucceeded(clock.instant());
    readiness.atCapacity(true);
    clock.advance(WINDOW.multipliedBy(10));

    assertThat(readiness.reason()).isEqualTo(Reason.READY);
  }

  @Test
  void theGaugeHasOneSeriesPerReasonAndFollowsTheCurrentOne() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new WorkerMetrics(registry).readinessGauges(Reason.tags(), () -> readiness.reason().tag());

    assertThat(gauges(registry)).containsOnlyKeys("ready", "shutting_down", "account_paused", "cap_not_counted",
        "receive_failing", "no_receive_yet", "receive_stale").containsEntry("no_receive_yet", 1.0)
        .satisfies(g -> assertThat(g.values()).containsOnlyOnce(1.0));

    readiness.receiveSucceeded(clock.instant());
    assertThat(gauges(registry)).containsEntry("ready", 1.0).containsEntry("no_receive_yet", 0.0)
        .satisfies(g -> assertThat(g.values()).containsOnlyOnce(1.0));
  }

  private static Map<String, Double> gauges(SimpleMeterRegistry registry) {
    Map<String, Double> byReason = new TreeMap<>();
    registry.find(WorkerMetrics.READY).gauges().forEach(g -> byReason.put(g.getId().getTag("reason"), g.value()));
    return byReason;
  }
}
