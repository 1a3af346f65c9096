package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.Ec2Clients.launch;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertErrorCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;

class ClientTokenTest extends EmulatorTest {
  private static final int CALLERS = 8;

  @Test
  void sameTokenWithSameParametersReturnsTheSameReservationAndLaunchesNothing() {
    RunInstancesResponse first = ec2.runInstances(launch("msg-1").maxCount(2).build());
    RunInstancesResponse second = ec2.runInstances(launch("msg-1").maxCount(2).build());

    assertThat(second.reservationId()).isEqualTo(first.reservationId());
    assertThat(second.instances()).extracting(Instance::instanceId)
        .containsExactlyElementsOf(first.instances().stream().map(Instance::instanceId).toList());
    assertThat(emulator.instances()).hasSize(2);
    assertThat(emulator.stats().runInstancesCallsPerToken()).containsEntry("msg-1", 2);
  }

  @Test
  void replayedReservationShowsTheInstancesCurrentStates() {
    RunInstancesResponse first = ec2.runInstances(launch("msg-1").maxCount(2).build());
    ec2.terminateInstances(t -> t.instanceIds(first.instances().get(0).instanceId()));

    RunInstancesResponse again = ec2.runInstances(launch("msg-1").maxCount(2).build());

    assertThat(again.instances()).extracting(i -> i.state().name())
        .containsExactly(InstanceStateName.TERMINATED, InstanceStateName.RUNNING);
  }

  @Test
  void sameTokenWithDifferentParametersIsIdempotentParameterMismatch() {
    ec2.runInstances(launch("msg-1").build());

    assertErrorCode(() -> ec2.runInstances(launch("msg-1").instanceType("t3.large").build()),
        "IdempotentParameterMismatch", 400);
    assertThat(emulator.instances()).hasSize(1);
  }

  @Test
  void sameTokenAfterAllItsInstancesTerminatedIsIdempotentInstanceTerminated() {
    RunInstancesResponse first = ec2.runInstances(launch("msg-1").build());
    ec2.terminateInstances(t -> t.instanceIds(first.instances().get(0).instanceId()));

    assertErrorCode(() -> ec2.runInstances(launch("msg-1").build()), "IdempotentInstanceTerminated", 400);
    assertThat(emulator.instances()).hasSize(1);
  }

  @Test
  void ignoringClientTokensLaunchesOnEveryCallButKeepsTheTokenOnTheInstances() {
    emulator.faults().ignoreClientToken(true);

    RunInstancesResponse first = ec2.runInstances(launch("msg-1").build());
    RunInstancesResponse second = ec2.runInstances(launch("msg-1").instanceType("t3.large").build());

    assertThat(second.reservationId()).isNotEqualTo(first.reservationId());
    assertThat(ec2.describeInstances(d -> d.filters(f -> f.name("client-token").values("msg-1")))
        .reservations()).hasSize(2);
    assertThat(emulator.stats().tokensWithMoreThanOneReservation()).containsExactly("msg-1");
  }

  @Test
  void concurrentCallsWithOneTokenLaunchOnce() throws Exception {
    emulator.faults().runInstancesLatency(Duration.ofMillis(200));

    List<RunInstancesResponse> responses = callConcurrently("msg-1");

    assertThat(responses).extracting(RunInstancesResponse::reservationId).containsOnly(
        responses.get(0).reservationId());
    assertThat(emulator.instances()).hasSize(1);
    assertThat(emulator.stats().runInstancesCallsPerToken()).containsEntry("msg-1", CALLERS);
    assertThat(emulator.stats().tokensWithMoreThanOneReservation()).isEmpty();
  }

  @Test
  void concurrentCallsWithOneTokenLaunchEachTimeWhenTokensAreIgnored() throws Exception {
    emulator.faults().ignoreClientToken(true).runInstancesLatency(Duration.ofMillis(50));

    callConcurrently("msg-1");

    assertThat(emulator.instances()).hasSize(CALLERS);
    assertThat(emulator.stats().tokensWithMoreThanOneReservation()).containsExactly("msg-1");
  }

  private List<RunInstancesResponse> callConcurrently(String token) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    try {
      CountDownLatch ready = new CountDownLatch(CALLERS);
      List<Future<RunInstancesResponse>> futures = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        futures.add(pool.submit(() -> {
          ready.countDown();
          ready.await(5, TimeUnit.SECONDS);
          return ec2.runInstances(launch(token).build());
        }));
      }
      List<RunInstancesResponse> responses = new ArrayList<>();
      for (Future<RunInstancesResponse> future : futures) {
        responses.add(future.get(10, TimeUnit.SECONDS));
      }
      return responses;
    } finally {
      pool.shutdownNow();
    }
  }
}
