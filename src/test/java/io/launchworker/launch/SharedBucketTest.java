package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Replicas with one identical configuration (the account's whole RunInstances limit, EC2's default bucket of burst 5
 * and 2 per second) share that bucket on a fake clock: each finds its share without being told how many they are.
 * The targets are the issue's: at least 90 % of the refill, at most 5 % of calls throttled.
 */
class SharedBucketTest {
  private static final int BURST = 5;
  private static final double REFILL = 2.0;
  private static final long[] SEEDS = {1, 2, 3, 4, 5};

  @ParameterizedTest(name = "{0} replica(s)")
  @ValueSource(ints = {1, 2, 4})
  void replicasStartedTogetherDrainAtTheRefillWithFewThrottles(int replicas) {
    for (long seed : SEEDS) {
      SharedBucketWorld.Phase drain = new SharedBucketWorld(BURST, REFILL, seed).phase(replicas, 300);

      assertThat(drain.shareOfRefill()).as("share of the refill, seed %d: %s", seed, drain).isGreaterThan(0.9);
      assertThat(drain.throttledShare()).as("throttled share, seed %d: %s", seed, drain).isLessThanOrEqualTo(0.05);
    }
  }

  @Test
  void replicasJoiningAndLeavingMidDrainKeepThrottlesLow() {
    for (long seed : SEEDS) {
      SharedBucketWorld world = new SharedBucketWorld(BURST, REFILL, seed);
      List<SharedBucketWorld.Phase> phases = new ArrayList<>();
      for (int replicas : new int[] {1, 2, 4, 2, 1}) {
        phases.add(world.phase(replicas, 180));
      }

      long throttled = phases.stream().mapToLong(SharedBucketWorld.Phase::throttled).sum();
      long calls = phases.stream().mapToLong(SharedBucketWorld.Phase::calls).sum();
      assertThat((double) throttled / calls).as("the whole drain, seed %d: %s", seed, phases)
          .isLessThanOrEqualTo(0.05);
      for (SharedBucketWorld.Phase phase : phases) {
        assertThat(phase.throttledShare()).as("the phase of two joining, at most, seed %d: %s", seed, phases)
            .isLessThanOrEqualTo(0.06);
      }
      assertThat(phases.get(2).shareOfRefill()).as("four replicas, seed %d", seed).isGreaterThan(0.9);
    }
  }

  @Test
  void aReplicaLeftAloneClimbsBackToTheCeiling() {
    SharedBucketWorld world = new SharedBucketWorld(BURST, REFILL, 1);
    world.phase(4, 180);
    assertThat(world.gates()).allSatisfy(g -> assertThat(g.currentRate()).isLessThan(REFILL));

    world.phase(1, 300);

    assertThat(world.gates()).singleElement().satisfies(g -> {
      assertThat(g.currentRate()).isEqualTo(REFILL);
      assertThat(g.currentBurst()).isEqualTo(BURST);
    });
  }

  @Test
  void aLoneReplicaIsNeverThrottledAndRunsAtTheRefill() {
    SharedBucketWorld.Phase alone = new SharedBucketWorld(BURST, REFILL, 7).phase(1, 120);

    assertThat(alone.throttled()).isZero();
    assertThat(alone.shareOfRefill()).isGreaterThan(0.95);
  }
}
