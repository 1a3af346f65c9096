package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.config.WorkerConfig;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import io.launchworker.settle.Ec2ErrorClassifier;
import io.launchworker.settle.RetryBackoff;
import io.launchworker.settle.TokenSignature;
import io.launchworker.testing.ForwardingEc2Port;
import io.launchworker.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17, cases 3 to 5: an account fault from any EC2 call pauses and never uses an attempt; a pause probes
 * without receiving; {@code UnauthorizedOperation} for one request is told from the account's by a DryRun of a launch
 * EC2 allowed lately. On a fake EC2 and a fake clock.
 */
class AccountFaultsTest {
  private static final Instant SENT = Instant.parse("2026-12-07T10:00:00Z");
  private static final int MAX_ATTEMPTS = 3;
  private static final String T3 = "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\"}";
  private static final String P5 = "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"p5.48xlarge\"}";

  private final MutableClock clock = new MutableClock(SENT);
  private final FakeEc2 ec2 = new FakeEc2(clock);
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private final HourlyInstanceCap cap = new HourlyInstanceCap(1_000, ec2, Ec2Budget.unlimited(), clock, metrics);
  private final KnownGoodLaunch knownGood = new KnownGoodLaunch(cap::newestCountedLaunch);
  private final AccountFaultPause pause = new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofMinutes(2),
      fault -> PauseProbe.quiet(fault, knownGood));
  private String describeFault;
  private final Ec2Port port = new ForwardingEc2Port(ec2) {
    @Override
    public List<FoundInstance> findByToken(String token, TokenFilter filter) {
      if (describeFault != null) {
        throw DoubtBeforeActingTest.ec2Error(describeFault, 403);
      }
      return super.findByToken(token, filter);
    }

    @Override
    public String rootDeviceName(String imageId) {
      if (describeFault != null) {
        throw DoubtBeforeActingTest.ec2Error(describeFault, 403);
      }
      return super.rootDeviceName(imageId);
    }
  };
  private LaunchHandler handler = handler(knownGood);

  private LaunchHandler handler(KnownGoodLaunch known) {
    cap.refresh();
    return new LaunchHandler(new RequestReader(LaunchPolicy.permissive()),
        new RunInstancesMapper(LaunchDefaults.none()), port, new Ec2ErrorClassifier(),
        new RetryBackoff(new WorkerConfig.Retry(Duration.ofSeconds(5), Duration.ofMinutes(15), Duration.ofMinutes(2),
            Duration.ofMinutes(10)), new SplittableRandom(1)), Ec2Budget.unlimited(), cap, Duration.ZERO,
        MAX_ATTEMPTS, pause, TokenSignature.none(), metrics,
        new LaunchHandler.Doubting(ConsistencyWindow.none(clock), known, OptionalInt.empty()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"AuthFailure", "UnauthorizedOperation"})
  void anAccountFaultOnTheLookUpPausesAndNeverUsesAnAttempt(String code) {
    describeFault = code;

    for (int receive = 2; receive <= MAX_ATTEMPTS + 2; receive++) {
      Outcome outcome = handle("m-1", receive, T3);
      assertThat(outcome.reason()).isEqualTo(Outcome.ACCOUNT_FAULT);
      assertThat(outcome.countsAsAttempt()).isFalse();
    }
    assertThat(pause.current()).hasValueSatisfying(f -> assertThat(f.operation()).isEqualTo("DescribeInstances"));
    // A Describe fault is probed with a Describe call: nothing is received while paused.
    assertThat(pause.receiveLimit()).contains(0);
    assertThat(ec2.runInstancesCalls.get()).isZero();
  }

  @Test
  void anAccountFaultOnAnImagesRootDevicePauses() {
    describeFault = "AuthFailure";

    Outcome outcome = handle("m-1", 1,
        "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\",\"rootVolume\":{\"sizeGiB\":40}}");

    assertThat(outcome.reason()).isEqualTo(Outcome.ACCOUNT_FAULT);
    assertThat(pause.current()).hasValueSatisfying(f -> assertThat(f.operation()).isEqualTo("DescribeImages"));
  }

  @Test
  void unauthorizedForOneTypeIsRejectedAtOnceWhileAKnownLaunchIsStillAllowed() {
    assertThat(handle("m-1", 1, T3).kind()).isEqualTo(OutcomeKind.LAUNCHED);
    ec2.denyInstanceType("p5.48xlarge");

    Outcome outcome = handle("m-2", 1, P5);

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(outcome.reason()).isEqualTo("ec2:UnauthorizedOperation");
    assertThat(pause.current()).isEmpty();
    assertThat(ec2.dryRuns.get()).isEqualTo(1);
    assertThat(handle("m-3", 1, T3).kind()).isEqualTo(OutcomeKind.LAUNCHED);
  }

  @Test
  void aFreshProcessJudgesByTheNewestLaunchTheHourlyCountSaw() {
    handle("m-1", 1, T3);
    HourlyInstanceCap freshCap = new HourlyInstanceCap(1_000, ec2, Ec2Budget.unlimited(), clock, metrics);
    freshCap.refresh();
    KnownGoodLaunch fresh = new KnownGoodLaunch(freshCap::newestCountedLaunch);
    ec2.denyInstanceType("p5.48xlarge");

    assertThat(fresh.dryRun()).hasValueSatisfying(r -> {
      assertThat(r.dryRun()).isTrue();
      assertThat(r.instanceTypeAsString()).isEqualTo("t3.micro");
    });
    Outcome outcome = handler(fresh).handle(message("m-2", 1, P5), () -> false).outcome();

    assertThat(outcome.reason()).isEqualTo("ec2:UnauthorizedOperation");
    assertThat(pause.current()).isEmpty();
  }

  @Test
  void unauthorizedWhileTheKnownLaunchIsDeniedTooPausesEveryone() {
    handle("m-1", 1, T3);
    ec2.denyInstanceType("p5.48xlarge");
    ec2.denyInstanceType("t3.micro");

    Outcome outcome = handle("m-2", 1, P5);

    assertThat(outcome.reason()).isEqualTo(Outcome.ACCOUNT_FAULT);
    assertThat(outcome.countsAsAttempt()).isFalse();
    assertThat(pause.current()).isPresent();
    // A launch EC2 allowed before can be probed with DryRun: nothing is received while paused.
    assertThat(pause.receiveLimit()).contains(0);
    assertThat(pause.mayLaunch()).isFalse();
  }

  @Test
  void unauthorizedWithNoLaunchKnownAnywherePausesAndProbesByReceivingOneMessage() {
    ec2.denyInstanceType("p5.48xlarge");

    Outcome outcome = handle("m-2", 1, P5);

    assertThat(outcome.reason()).isEqualTo(Outcome.ACCOUNT_FAULT);
    assertThat(ec2.dryRuns.get()).isZero();
    clock.advance(Duration.ofSeconds(5));
    assertThat(pause.receiveLimit()).contains(1);
  }

  @Test
  void aQuietProbeResumesWhenEc2AnswersAndDoublesTheBackOffWhileItIsDenied() {
    handle("m-1", 1, T3);
    ec2.denyInstanceType("t3.micro");
    handle("m-2", 1, T3);
    PauseProbe probe = new PauseProbe(pause, port, Ec2Budget.unlimited(), knownGood, new Ec2ErrorClassifier(),
        () -> false);

    int judged = ec2.dryRuns.get();
    probe.run();
    assertThat(ec2.dryRuns.get()).as("not due yet").isEqualTo(judged);
    clock.advance(Duration.ofSeconds(5));
    probe.run();
    assertThat(ec2.dryRuns.get()).isEqualTo(judged + 1);
    assertThat(pause.untilProbe()).isEqualTo(Duration.ofSeconds(10));

    ec2.allowAll();
    clock.advance(Duration.ofSeconds(10));
    probe.run();
    assertThat(pause.current()).isEmpty();
    assertThat(pause.receiveLimit()).isEmpty();
    assertThat(ec2.runInstancesCalls.get()).isEqualTo(2);
  }

  @Test
  void aDescribeFaultIsProbedWithALookUp() {
    describeFault = "AuthFailure";
    handle("m-1", 2, T3);
    PauseProbe probe = new PauseProbe(pause, port, Ec2Budget.unlimited(), knownGood, new Ec2ErrorClassifier(),
        () -> false);
    clock.advance(Duration.ofSeconds(5));
    probe.run();
    assertThat(pause.current()).isPresent();

    describeFault = null;
    clock.advance(pause.untilProbe());
    probe.run();

    assertThat(pause.current()).isEmpty();
  }

  private Outcome handle(String messageId, int receiveCount, String body) {
    return handler.handle(message(messageId, receiveCount, body), () -> false).outcome();
  }

  private InFlightMessage message(String messageId, int receiveCount, String body) {
    return new InFlightMessage(messageId, "receipt-" + receiveCount, body, receiveCount, SENT, clock.instant(),
        clock.instant().plusSeconds(60), Map.of(), Optional.empty());
  }
}
