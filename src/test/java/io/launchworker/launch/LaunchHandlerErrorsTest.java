package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.config.WorkerConfig;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import io.launchworker.settle.Ec2ErrorClassifier;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.settle.RetryBackoff;
import io.launchworker.settle.TokenSignature;
import io.launchworker.testing.ForwardingEc2Port;
import io.launchworker.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/** The handler's decisions on account faults and resources EC2 cannot see yet, on a fake EC2 and a fake clock. */
class LaunchHandlerErrorsTest {
  private static final Instant SENT = Instant.parse("2026-11-30T10:00:00Z");
  private static final int MAX_ATTEMPTS = 5;

  private final MutableClock clock = new MutableClock(SENT);
  private final FakeEc2 ec2 = new FakeEc2(clock);
  private final Deque<String> failures = new ArrayDeque<>();
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private final AccountFaultPause pause = new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofMinutes(2));
  private final HourlyInstanceCap cap = new HourlyInstanceCap(1_000, ec2, Ec2Budget.unlimited(), clock, metrics);
  private final LaunchHandler handler = new LaunchHandler(new RequestReader(LaunchPolicy.permissive()),
      new RunInstancesMapper(LaunchDefaults.none()), new Failing(), new Ec2ErrorClassifier(),
      new RetryBackoff(new WorkerConfig.Retry(Duration.ofSeconds(5), Duration.ofMinutes(15), Duration.ofMinutes(2),
          Duration.ofMinutes(10)), new SplittableRandom(1)), Ec2Budget.unlimited(), cap, Duration.ZERO, clock,
      MAX_ATTEMPTS, pause, TokenSignature.none(), metrics);

  @BeforeEach
  void countTheCap() {
    cap.refresh();
  }

  @Test
  void anAccountFaultPausesAndIsHandedBackWithoutUsingAnAttempt() {
    failures.add("UnauthorizedOperation");

    Outcome outcome = handle("m-1", 1);

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(outcome.reason()).isEqualTo("account_fault");
    assertThat(outcome.countsAsAttempt()).isFalse();
    assertThat(outcome.retryDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(pause.current()).isPresent();
  }

  @Test
  void whilePausedAMessageInHandGoesBackWithoutCallingEc2AndTheProbeResumes() {
    failures.add("AuthFailure");
    handle("m-1", 1);
    int callsAtPause = ec2.runInstancesCalls.get();

    Outcome held = handle("m-2", 1);
    clock.advance(Duration.ofSeconds(5));
    Outcome probe = handle("m-3", 1);

    assertThat(held.reason()).isEqualTo("account_fault");
    assertThat(probe.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(ec2.runInstancesCalls.get()).isEqualTo(callsAtPause + 1);
    assertThat(pause.current()).isEmpty();
  }

  @Test
  void aRequestRefusedAtItsAttemptLimitWhileOthersLaunchIsRejectedForItself() {
    clock.advance(Duration.ofMinutes(1));
    handle("other", 1);
    failures.add("UnauthorizedOperation");

    Outcome outcome = handle("m-1", MAX_ATTEMPTS);

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(outcome.reason()).isEqualTo("ec2:UnauthorizedOperation");
    assertThat(pause.current()).isEmpty();
  }

  @Test
  void aResourceNotVisibleYetIsRetriedTwiceThenRejected() {
    failures.addAll(List.of("InvalidGroup.NotFound", "InvalidGroup.NotFound", "InvalidGroup.NotFound"));

    List<Outcome> outcomes = List.of(handle("m-1", 1), handle("m-1", 2), handle("m-1", 3));

    assertThat(outcomes).extracting(Outcome::reason)
        .containsExactly("not_visible_yet", "not_visible_yet", "ec2:InvalidGroup.NotFound");
    assertThat(outcomes.get(2).kind()).isEqualTo(OutcomeKind.REJECTED);
  }

  private Outcome handle(String messageId, int receiveCount) {
    InFlightMessage message = new InFlightMessage(messageId, "receipt-" + receiveCount,
        "{\"imageId\":\"ami-0123456789abcdef0\"}", receiveCount, SENT, clock.instant(),
        clock.instant().plusSeconds(60), Map.of(), Optional.empty());
    return handler.handle(message, () -> false).outcome();
  }

  /** The fake EC2, failing RunInstances with the queued error codes first. */
  private final class Failing extends ForwardingEc2Port {
    Failing() {
      super(ec2);
    }

    @Override
    public Reservation runInstances(RunInstancesRequest request) {
      String code = failures.poll();
      if (code == null) {
        return ec2.runInstances(request);
      }
      ec2.runInstancesCalls.incrementAndGet();
      throw (Ec2Exception) Ec2Exception.builder().statusCode(code.startsWith("Invalid") ? 400 : 403)
          .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("injected").build()).build();
    }
  }
}
