package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.Ec2Clients.launch;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertErrorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;

class FaultInjectionTest extends EmulatorTest {
  @Test
  void emptyRunInstancesBucketAnswersRequestLimitExceededWith503AndIsCounted() {
    emulator.faults().throttle(2, 0);

    ec2.runInstances(launch("a").build());
    ec2.runInstances(launch("b").build());
    assertErrorCode(() -> ec2.runInstances(launch("c").build()), "RequestLimitExceeded", 503);

    assertThat(emulator.instances()).hasSize(2);
    assertThat(emulator.stats().throttledCalls()).isEqualTo(1);
    assertThat(ec2.describeInstances().reservations()).hasSize(2);
  }

  @Test
  void describeBucketThrottlesDescribeCallsOnly() {
    emulator.faults().describeThrottle(1, 0);

    ec2.describeInstances();
    assertErrorCode(() -> ec2.describeInstances(), "RequestLimitExceeded", 503);
    ec2.runInstances(launch("a").build());

    emulator.faults().noThrottle();
    assertThat(ec2.describeInstances().reservations()).hasSize(1);
    assertThat(emulator.stats().throttledCalls()).isEqualTo(1);
  }

  @Test
  void sdkRetriesThrottledCallsUntilTheBucketRefills() {
    // One token every 100 ms; the client waits 150 ms before each retry, so every retry finds a token.
    emulator.faults().throttle(1, 10);
    Ec2Client retrying = clients.retryingEvery(Duration.ofMillis(150));

    for (int i = 0; i < 3; i++) {
      retrying.runInstances(launch("t-" + i).build());
    }

    assertThat(emulator.instances()).hasSize(3);
    assertThat(emulator.stats().throttledCalls()).isPositive();
    assertThat(emulator.stats().calls("RunInstances")).isEqualTo(3 + emulator.stats().throttledCalls());
  }

  @Test
  void errorRateOfOneFailsEveryCallBeforeAnyLaunch() {
    emulator.faults().errorRate("RunInstances", "InternalError", 500, 1.0);

    assertErrorCode(() -> ec2.runInstances(launch("a").build()), "InternalError", 500);
    assertErrorCode(() -> ec2.runInstances(launch("a").build()), "InternalError", 500);

    assertThat(emulator.instances()).isEmpty();
    assertThat(emulator.stats().injectedErrors()).isEqualTo(2);
    assertThat(ec2.describeInstances().reservations()).isEmpty();
  }

  @Test
  void injectedErrorsAreCountedPerCodeAndAnInjectedThrottleIsNotATokenBucketThrottle() {
    emulator.faults().failNext("RunInstances", "RequestLimitExceeded", 503, 1)
        .failNext("RunInstances", "InternalError", 500, 2);

    assertErrorCode(() -> ec2.runInstances(launch("a").build()), "RequestLimitExceeded", 503);
    assertErrorCode(() -> ec2.runInstances(launch("a").build()), "InternalError", 500);
    assertErrorCode(() -> ec2.runInstances(launch("a").build()), "InternalError", 500);

    assertThat(emulator.stats().injectedErrors("RequestLimitExceeded")).isEqualTo(1);
    assertThat(emulator.stats().injectedErrors("InternalError")).isEqualTo(2);
    assertThat(emulator.stats().injectedErrors("Unavailable")).isZero();
    assertThat(emulator.stats().injectedErrors()).isEqualTo(3);
    assertThat(emulator.stats().throttledCalls()).isZero();
  }

  @Test
  void failNextFailsExactlyThatManyCallsThenLaunches() {
    emulator.faults().failNext("RunInstances", "InsufficientInstanceCapacity", 500, 2);

    assertErrorCode(() -> ec2.runInstances(launch("a").build()), "InsufficientInstanceCapacity", 500);
    assertErrorCode(() -> ec2.runInstances(launch("a").build()), "InsufficientInstanceCapacity", 500);
    ec2.runInstances(launch("a").build());

    assertThat(emulator.instances()).hasSize(1);
    assertThat(emulator.stats().injectedErrors()).isEqualTo(2);
  }

  @Test
  void droppedAnswerLaunchesButTheClientSeesAnIoError() {
    emulator.faults().dropNextAnswersAfterLaunch(1);

    assertThatThrownBy(() -> ec2.runInstances(launch("msg-1").build()))
        .isInstanceOf(SdkClientException.class)
        .isNotInstanceOf(Ec2Exception.class)
        .hasRootCauseInstanceOf(NoHttpResponseException.class);

    assertThat(emulator.instances()).hasSize(1);
    assertThat(emulator.stats().droppedAnswers()).isEqualTo(1);
  }

  @Test
  void sdkRetryAfterADroppedAnswerReturnsTheSameReservation() {
    emulator.faults().dropNextAnswersAfterLaunch(1);

    RunInstancesResponse response = clients.retrying().runInstances(launch("msg-1").build());

    assertThat(emulator.instances()).singleElement()
        .satisfies(i -> assertThat(i.reservationId()).isEqualTo(response.reservationId()));
    assertThat(emulator.stats().runInstancesCallsPerToken()).containsEntry("msg-1", 2);
    assertThat(emulator.stats().droppedAnswers()).isEqualTo(1);
  }

  @Test
  void sdkRetryAfterADroppedAnswerLaunchesTwiceWhenTokensAreIgnored() {
    emulator.faults().ignoreClientToken(true).dropNextAnswersAfterLaunch(1);

    clients.retrying().runInstances(launch("msg-1").build());

    assertThat(emulator.instances()).hasSize(2);
    assertThat(emulator.stats().tokensWithMoreThanOneReservation()).containsExactly("msg-1");
  }

  @Test
  void dropRateOfOneDropsEveryAnswer() {
    emulator.faults().dropAnswerAfterLaunchRate(1.0);

    assertThatThrownBy(() -> ec2.runInstances(launch("a").build())).isInstanceOf(SdkClientException.class);
    assertThatThrownBy(() -> ec2.runInstances(launch("b").build())).isInstanceOf(SdkClientException.class);

    assertThat(emulator.stats().droppedAnswers()).isEqualTo(2);
    assertThat(emulator.instances()).hasSize(2);
  }

  @Test
  void latencyDelaysEveryCall() {
    emulator.faults().latency(Duration.ofMillis(150));

    long start = System.nanoTime();
    ec2.describeInstances();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }

  @Test
  void seededLogNormalLatencyRepeatsForTheSameSeed() {
    Ec2Faults faults = emulator.faults().seed(7);
    var first = faults.logNormal(Duration.ofMillis(20), 0.5);
    Duration a = first.get();
    faults.seed(7);
    Duration b = faults.logNormal(Duration.ofMillis(20), 0.5).get();

    assertThat(a).isEqualTo(b).isPositive();
  }

  @Test
  void seededUniformLatencyStaysWithinItsBoundsAndRepeatsForTheSameSeed() {
    Ec2Faults faults = emulator.faults().seed(7);
    var draws = faults.uniform(Duration.ofMillis(1000), Duration.ofMillis(1500));
    java.util.List<Duration> first = java.util.stream.Stream.generate(draws).limit(200).toList();
    faults.seed(7);
    var again = faults.uniform(Duration.ofMillis(1000), Duration.ofMillis(1500));
    java.util.List<Duration> second = java.util.stream.Stream.generate(again).limit(200).toList();

    assertThat(first).isEqualTo(second)
        .allSatisfy(d -> assertThat(d).isBetween(Duration.ofMillis(1000), Duration.ofMillis(1500)));
    assertThat(first).anySatisfy(d -> assertThat(d).isLessThan(Duration.ofMillis(1100)))
        .anySatisfy(d -> assertThat(d).isGreaterThan(Duration.ofMillis(1400)));
  }

  @Test
  void uniformLatencyWithReversedBoundsIsRefused() {
    assertThatThrownBy(() -> emulator.faults().uniform(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 <= min <= max");
  }

  @Test
  void resetClearsEveryFault() {
    emulator.faults().throttle(1, 0).errorRate("RunInstances", "InternalError", 500, 1.0)
        .failNext("DescribeInstances", "InternalError", 500, 1).dropNextAnswersAfterLaunch(3)
        .latency(Duration.ofSeconds(5)).ignoreClientToken(true);

    emulator.faults().reset();

    ec2.runInstances(launch("a").build());
    ec2.runInstances(launch("a").build());
    assertThat(ec2.describeInstances().reservations()).hasSize(1);
  }

  @Test
  void statsCountCallsTokensLaunchesAndFaults() {
    emulator.faults().failNext("RunInstances", "InternalError", 500, 1);
    assertErrorCode(() -> ec2.runInstances(launch("a").build()), "InternalError", 500);
    ec2.runInstances(launch("a").maxCount(2).build());
    ec2.runInstances(launch("a").maxCount(2).build());
    ec2.runInstances(launch("b").build());
    ec2.describeInstances();

    Ec2Stats stats = emulator.stats();

    assertThat(stats.callsPerAction()).containsEntry("RunInstances", 4L).containsEntry("DescribeInstances", 1L);
    assertThat(stats.calls("TerminateInstances")).isZero();
    assertThat(stats.runInstancesCallsPerToken()).containsEntry("a", 3).containsEntry("b", 1);
    assertThat(stats.instancesLaunched()).isEqualTo(3);
    assertThat(stats.tokensWithInstances()).isEqualTo(2);
    assertThat(stats.tokensWithMoreThanOneReservation()).isEmpty();
    assertThat(stats.injectedErrors()).isEqualTo(1);
    assertThat(stats.throttledCalls()).isZero();
    assertThat(stats.droppedAnswers()).isZero();
  }
}
