package io.launchworker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How a drain is split into its start, its steady middle and its tail, on a clock moved by hand. */
class TimelinePhasesTest {
  private static final long MS = 1_000_000L;

  private final AtomicLong now = new AtomicLong();
  private final Timeline timeline = new Timeline(now::get);

  @Test
  void theSteadyRateLeavesOutTheStartAndTheTail() {
    // Nothing for a second, then one launch every 20 ms (50 a second), then 1.5 s until the queue is empty.
    for (int i = 0; i < 100; i++) {
      now.set(1_000 * MS + i * 20 * MS);
      timeline.arrived("m-" + i);
    }
    long drained = now.get() + 1_500 * MS;

    Timeline.Phases phases = timeline.phases(0, drained);

    assertThat(phases.firstLaunchSeconds()).isCloseTo(1.0, within(1e-9));
    assertThat(phases.tailSeconds()).isCloseTo(1.5, within(1e-9));
    assertThat(phases.steadyRequestsPerSecond()).isCloseTo(50.0, within(1e-9));
  }

  @Test
  void aRetriedRunInstancesIsNotASecondLaunch() {
    for (int i = 0; i < 100; i++) {
      now.set(i * 10 * MS);
      timeline.arrived("m-" + i);
    }
    now.set(10_000 * MS);
    timeline.arrived("m-99");

    assertThat(timeline.phases(0, 10_000 * MS).tailSeconds()).isCloseTo(9.01, within(1e-9));
  }

  @Test
  void tooFewLaunchesHaveNoSteadyRateAndNoneHaveNoPhasesAtAll() {
    for (int i = 0; i < 20; i++) {
      now.set(i * MS);
      timeline.arrived("m-" + i);
    }

    assertThat(timeline.phases(0, 100 * MS).steadyRequestsPerSecond()).isNaN();
    assertThat(timeline.phases(0, 100 * MS).firstLaunchSeconds()).isZero();
    assertThat(new Timeline(now::get).phases(0, 1)).isEqualTo(Timeline.Phases.NONE);
  }
}
