package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.Ec2Clients.launch;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertErrorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.launchworker.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;

/** DescribeInstances that lags behind RunInstances, on a clock the test moves: no test here sleeps. */
class DescribeLagTest extends EmulatorTest {
  private static final Instant START = Instant.parse("2026-11-02T10:15:30Z");
  private final MutableClock time = new MutableClock(START);

  @Override
  Clock clock() {
    return time;
  }

  private List<String> idsMatching(Filter... filters) {
    return ec2.describeInstances(d -> d.filters(filters)).reservations().stream()
        .flatMap(r -> r.instances().stream()).map(Instance::instanceId).toList();
  }

  private List<String> allIds() {
    return ec2.describeInstances().reservations().stream()
        .flatMap(r -> r.instances().stream()).map(Instance::instanceId).toList();
  }

  private static Filter filter(String name, String... values) {
    return Filter.builder().name(name).values(values).build();
  }

  private String launchTagged(String token) {
    return ec2.runInstances(launch(token)
            .tagSpecifications(s -> s.resourceType("instance").tags(t -> t.key("team").value("red")))
            .build())
        .instances().get(0).instanceId();
  }

  /** Every way the worker looks an instance up: its tag, its tag key, its token, its ID, the hour it launched. */
  private List<List<String>> everyLookUp(String token, String id) {
    return List.of(
        allIds(),
        idsMatching(filter("tag:team", "red")),
        idsMatching(filter("tag-key", "team")),
        idsMatching(filter("client-token", token)),
        idsMatching(filter("instance-id", id)),
        idsMatching(filter("launch-time", "2026-11-02T10:*")));
  }

  @Test
  void aNewInstanceIsMissingFromEveryLookUpUntilItsLagHasPassed() {
    emulator.faults().describeLag(Duration.ofSeconds(30));

    String id = launchTagged("msg-1");

    assertThat(everyLookUp("msg-1", id)).allSatisfy(ids -> assertThat(ids).isEmpty());
    assertErrorCode(() -> ec2.describeInstances(d -> d.instanceIds(id)), "InvalidInstanceID.NotFound", 400);
    time.advance(Duration.ofSeconds(30).minusMillis(1));
    assertThat(everyLookUp("msg-1", id)).allSatisfy(ids -> assertThat(ids).isEmpty());

    time.advance(Duration.ofMillis(1));

    assertThat(everyLookUp("msg-1", id)).allSatisfy(ids -> assertThat(ids).containsExactly(id));
    assertThat(ec2.describeInstances(d -> d.instanceIds(id)).reservations()).hasSize(1);
  }

  @Test
  void theEmulatorsOwnViewsSeeHiddenInstancesAtOnce() {
    emulator.faults().describeLag(Duration.ofMinutes(5));

    launchTagged("msg-1");
    launchTagged("msg-2");

    assertThat(allIds()).isEmpty();
    assertThat(emulator.instances()).hasSize(2)
        .allSatisfy(i -> assertThat(i.launchTime()).isEqualTo(START));
    assertThat(emulator.stats().instancesLaunched()).isEqualTo(2);
    assertThat(emulator.stats().tokensWithInstances()).isEqualTo(2);
  }

  @Test
  void aClientTokenAlreadyUsedReplaysAtOnceWhileDescribeStillLags() {
    emulator.faults().describeLag(Duration.ofMinutes(1));
    RunInstancesResponse first = ec2.runInstances(launch("msg-1").build());

    RunInstancesResponse again = ec2.runInstances(launch("msg-1").build());

    assertThat(again.reservationId()).isEqualTo(first.reservationId());
    assertThat(again.instances()).extracting(Instance::instanceId)
        .containsExactly(first.instances().get(0).instanceId());
    assertErrorCode(() -> ec2.runInstances(launch("msg-1").instanceType("t3.large").build()),
        "IdempotentParameterMismatch", 400);
    assertThat(idsMatching(filter("client-token", "msg-1"))).isEmpty();
    assertThat(emulator.instances()).hasSize(1);
  }

  @Test
  void aLagIsDrawnOncePerInstanceAtLaunchSoInstancesOfOneReservationMayAppearApart() {
    Deque<Duration> lags = new ArrayDeque<>(List.of(Duration.ofSeconds(10), Duration.ofSeconds(20)));
    AtomicInteger draws = new AtomicInteger();
    emulator.faults().describeLag(() -> {
      draws.incrementAndGet();
      return lags.poll();
    });

    RunInstancesResponse launched = ec2.runInstances(launch("msg-1").minCount(2).maxCount(2).build());
    ec2.runInstances(launch("msg-1").minCount(2).maxCount(2).build()); // a replay draws nothing
    String first = launched.instances().get(0).instanceId();
    String second = launched.instances().get(1).instanceId();

    time.advance(Duration.ofSeconds(10));
    assertThat(ec2.describeInstances().reservations()).singleElement().satisfies(r -> {
      assertThat(r.reservationId()).isEqualTo(launched.reservationId());
      assertThat(r.instances()).extracting(Instance::instanceId).containsExactly(first);
    });
    time.advance(Duration.ofSeconds(10));
    assertThat(allIds()).containsExactly(first, second);
    assertThat(draws).hasValue(2);
  }

  @Test
  void seededLogNormalLagsRepeatForTheSameSeedAndDifferBetweenInstances() {
    List<Integer> visible = visibleEachSecond(7);

    assertThat(visibleEachSecond(7)).isEqualTo(visible);
    assertThat(visible.get(0)).isZero();
    assertThat(visible).last().isEqualTo(4);
    assertThat(visible.stream().distinct().count()).as("instances appear at different seconds").isGreaterThan(2);
  }

  /**
   * How many of four instances with log-normal lags (median 5 s) DescribeInstances shows every 2 s for 20 s, then
   * a minute after launch.
   */
  private static List<Integer> visibleEachSecond(long seed) {
    MutableClock clock = new MutableClock(START);
    try (Ec2Emulator timed = Ec2Emulator.start(clock); Ec2Clients timedClients = new Ec2Clients(timed)) {
      Ec2Client client = timedClients.notRetrying();
      timed.faults().seed(seed).describeLag(timed.faults().logNormal(Duration.ofSeconds(5), 0.5));
      client.runInstances(launch("msg-1").minCount(4).maxCount(4).build());
      List<Integer> visible = new ArrayList<>();
      for (int second : List.of(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 60)) {
        clock.advance(Duration.between(clock.instant(), START.plusSeconds(second)));
        visible.add(client.describeInstances().reservations().stream().mapToInt(r -> r.instances().size()).sum());
      }
      return visible;
    }
  }

  @Test
  void noDescribeLagShowsLaterLaunchesAtOnceAndHiddenOnesKeepTheirLag() {
    emulator.faults().describeLag(Duration.ofHours(1));
    String hidden = launchTagged("msg-1");

    emulator.faults().noDescribeLag();
    String shown = launchTagged("msg-2");

    assertThat(allIds()).containsExactly(shown);
    time.advance(Duration.ofHours(1));
    assertThat(allIds()).containsExactly(hidden, shown);
  }

  @Test
  void resetClearsTheLagToo() {
    emulator.faults().describeLag(Duration.ofHours(1)).reset();

    String id = launchTagged("msg-1");

    assertThat(allIds()).containsExactly(id);
  }

  @Test
  void aHiddenInstanceCountsForItsPageOnlyOnceVisible() {
    emulator.faults().describeLag(Duration.ofSeconds(5));
    for (int i = 0; i < 6; i++) {
      launchTagged("msg-" + i);
    }
    emulator.faults().noDescribeLag();
    String shown = launchTagged("msg-6");

    assertThat(ec2.describeInstancesPaginator(d -> d.maxResults(5)).reservations()).hasSize(1)
        .allSatisfy(r -> assertThat(r.instances().get(0).instanceId()).isEqualTo(shown));
    time.advance(Duration.ofSeconds(5));
    assertThat(ec2.describeInstancesPaginator(d -> d.maxResults(5)).reservations()).hasSize(7);
  }

  @Test
  void aNegativeLagIsAProgrammingMistake() {
    assertThatThrownBy(() -> emulator.faults().describeLag(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
  }
}
