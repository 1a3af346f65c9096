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
import io.launchworker.settle.TokenSignature;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.settle.RetryBackoff;
import io.launchworker.testing.ForwardingEc2Port;
import io.launchworker.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hourly cap and {@code max-request-age} together: the cap only delays a request; once it is older than
 * max-request-age it expires unlaunched, because its producer said a late launch is worse than none.
 */
class LaunchHandlerCapTest {
  private static final Instant SENT = Instant.parse("2026-11-29T10:20:00Z");
  private static final Duration MAX_AGE = Duration.ofHours(1);

  private final MutableClock clock = new MutableClock(SENT);
  private final FakeEc2 ec2 = new FakeEc2(clock);
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private final HourlyInstanceCap cap = new HourlyInstanceCap(1, ec2, Ec2Budget.unlimited(), clock, metrics);
  private final LaunchHandler handler = new LaunchHandler(new RequestReader(LaunchPolicy.permissive()),
      new RunInstancesMapper(LaunchDefaults.none()), ec2, new Ec2ErrorClassifier(),
      new RetryBackoff(new WorkerConfig.Retry(Duration.ofSeconds(5), Duration.ofMinutes(15), Duration.ofMinutes(2),
          Duration.ofMinutes(10)), new SplittableRandom(1)), Ec2Budget.unlimited(), cap, MAX_AGE, clock, 10,
          new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofMinutes(2)), TokenSignature.none(), metrics);

  @BeforeEach
  void anotherReplicaFilledTheCapTenMinutesAgo() {
    ec2.launchedElsewhere("other", 1, SENT.minus(Duration.ofMinutes(10)));
    cap.refresh();
  }

  private Outcome handle(int receiveCount) {
    InFlightMessage message = new InFlightMessage("m-1", "receipt-" + receiveCount,
        "{\"imageId\":\"ami-0123456789abcdef0\"}", receiveCount, SENT, clock.instant(),
        clock.instant().plusSeconds(60), Map.of(), Optional.empty());
    return handler.handle(message, () -> false).outcome();
  }

  @Test
  void aRequestDeferredByTheCapUntilItIsOlderThanMaxRequestAgeExpiresUnlaunched() {
    clock.advance(Duration.ofMinutes(1));
    Outcome first = handle(1);
    assertThat(first.kind()).isEqualTo(OutcomeKind.DEFERRED);
    assertThat(first.retryDelay()).isEqualTo(Duration.ofMinutes(49));

    clock.advance(Duration.ofMinutes(60));
    assertThat(cap.hasRoomFor(1)).as("the cap has room again").isTrue();
    Outcome second = handle(2);

    assertThat(second.kind()).isEqualTo(OutcomeKind.EXPIRED);
    assertThat(second.detail()).startsWith("request is 3660s old, older than max-request-age 3600s");
    assertThat(ec2.runInstancesCalls).hasValue(0);
  }

  @Test
  void aRequestDeferredByTheCapLaunchesWhenThereIsRoomBeforeItExpires() {
    clock.advance(Duration.ofMinutes(1));
    assertThat(handle(1).kind()).isEqualTo(OutcomeKind.DEFERRED);

    clock.advance(Duration.ofMinutes(49));
    Outcome second = handle(2);

    assertThat(second.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(ec2.runInstancesCalls).hasValue(1);
    assertThat(cap.hasRoomFor(1)).isFalse();
  }

  @Test
  void aLaunchWhoseAnswerWasLostHoldsItsRoomInTheCap() {
    ec2.launchesShowAtOnce(false);
    clock.advance(Duration.ofMinutes(50));
    LaunchHandler lossy = new LaunchHandler(new RequestReader(LaunchPolicy.permissive()),
        new RunInstancesMapper(LaunchDefaults.none()), new AnswerLost(ec2), new Ec2ErrorClassifier(),
        new RetryBackoff(new WorkerConfig.Retry(Duration.ofSeconds(5), Duration.ofMinutes(15),
            Duration.ofMinutes(2), Duration.ofMinutes(10)), new SplittableRandom(1)), Ec2Budget.unlimited(), cap,
        MAX_AGE, clock, 10, new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofMinutes(2)),
        TokenSignature.none(), metrics);
    InFlightMessage message = new InFlightMessage("m-2", "receipt", "{\"imageId\":\"ami-0123456789abcdef0\"}", 1,
        clock.instant(), clock.instant(), clock.instant().plusSeconds(60), Map.of(), Optional.empty());

    assertThat(lossy.handle(message, () -> false).outcome().kind()).isEqualTo(OutcomeKind.RETRY);

    assertThat(cap.hasRoomFor(1)).as("it may have launched").isFalse();
  }

  /** Launches, then loses the answer as a reset connection would. */
  private static final class AnswerLost extends ForwardingEc2Port {
    AnswerLost(FakeEc2 real) {
      super(real);
    }

    @Override
    public Reservation runInstances(software.amazon.awssdk.services.ec2.model.RunInstancesRequest request) {
      delegate.runInstances(request);
      throw software.amazon.awssdk.core.exception.SdkClientException.create("connection reset");
    }
  }
}
