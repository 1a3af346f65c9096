package io.launchworker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.request.LaunchTags;
import io.launchworker.sandbox.LaunchesByToken;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import io.launchworker.sandbox.ec2.Ec2Stats;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench counts each request by the token tag its instances carry, not by ClientToken. No bench runs here. */
class LaunchesTest {
  private static final Ec2Stats STATS = new Ec2Stats(Map.of(), Map.of(), 0, 0, List.of(), 0, 0, 0, Map.of(),
      Map.of("InsufficientInstanceCapacity", 3L, "Unsupported", 1L));

  private static EmulatedInstance instance(String reservation, String clientToken, String type, String tagToken) {
    return new EmulatedInstance("i-" + reservation + clientToken, reservation, clientToken, "ami-0123456789abcdef0",
        type, "running", tagToken == null ? Map.of() : Map.of(LaunchTags.TOKEN, tagToken), Instant.EPOCH);
  }

  @Test
  void aRequestLaunchedUnderTwoShapesIsADuplicateThoughEachClientTokenLaunchedOnce() {
    LaunchesByToken ec2 = LaunchesByToken.of(List.of(
        instance("r-1", "m-1", "t3.large", "m-1"),
        instance("r-2", "s2-digest-of-m-1", "t3.medium", "m-1"),
        instance("r-3", "s2-digest-of-m-2", "t3.medium", "m-2")));

    Launches launches = Launches.of(List.of("m-1", "m-2"), ec2, STATS);

    assertThat(launches.duplicates()).isEqualTo(1);
    assertThat(launches.lost()).isZero();
    assertThat(launches.launched()).isEqualTo(2);
    assertThat(launches.exactlyOnce()).isFalse();
    assertThat(launches.byInstanceType()).containsExactly(Map.entry("t3.large", 1L), Map.entry("t3.medium", 2L));
  }

  @Test
  void aRequestWithoutATaggedInstanceIsLostEvenWhenAnUntaggedInstanceHasItsClientToken() {
    LaunchesByToken ec2 = LaunchesByToken.of(List.of(
        instance("r-1", "m-1", "t3.small", "m-1"),
        instance("r-2", "m-2", "t3.small", null)));

    Launches launches = Launches.of(List.of("m-1", "m-2"), ec2, STATS);

    assertThat(launches.lost()).isEqualTo(1);
    assertThat(launches.launched()).isEqualTo(1);
    assertThat(launches.byInstanceType()).containsExactly(Map.entry("t3.small", 1L));
  }

  @Test
  void aReservationOfSeveralInstancesIsOneLaunchAndRefusalsAreCountedByCode() {
    LaunchesByToken ec2 = LaunchesByToken.of(List.of(
        instance("r-1", "m-1", "t3.small", "m-1"),
        new EmulatedInstance("i-2", "r-1", "m-1", "ami-0123456789abcdef0", "t3.small", "running",
            Map.of(LaunchTags.TOKEN, "m-1"), Instant.EPOCH)));

    Launches launches = Launches.of(List.of("m-1"), ec2, STATS);

    assertThat(launches.exactlyOnce()).isTrue();
    assertThat(launches.byInstanceType()).containsExactly(Map.entry("t3.small", 1L));
    assertThat(launches.refusals()).isEqualTo(4);
    assertThat(launches.refusalsByCode()).containsExactly(Map.entry("InsufficientInstanceCapacity", 3L),
        Map.entry("Unsupported", 1L));
  }
}
