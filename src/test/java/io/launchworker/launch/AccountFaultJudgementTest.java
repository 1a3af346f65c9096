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
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Review of issue 17: how an account fault is told from a request's, and how a pause is probed, on a fake EC2 and a
 * fake clock. Each test was written against a bug the first version had (named in the test).
 */
class AccountFaultJudgementTest {
  private static final Instant SENT = Instant.parse("2026-12-07T10:00:00Z");
  private static final String T3 = "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\"}";
  private static final String M7 = "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"m7i.large\"}";
  private static final String P5 = "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"p5.48xlarge\"}";

  private final MutableClock clock = new MutableClock(SENT);
  private final FakeEc2 ec2 = new FakeEc2(clock);
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private final HourlyInstanceCap cap = new HourlyInstanceCap(1_000, ec2, Ec2Budget.unlimited(), clock, metrics);
  private final KnownGoodLaunch knownGood = new KnownGoodLaunch(cap::newestCountedLaunch);
  private final AccountFaultPause pause = new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofMinutes(2),
      fault -> PauseProbe.quiet(fault, knownGood));
  String launchFault;
  boolean imagesDenied;
  RuntimeException dryRunFailure;
  boolean requireCostCenterTag;

  private final Ec2Port port = new ForwardingEc2Port(ec2) {
    @Override
    public Reservation runInstances(RunInstancesRequest request) {
      if (launchFault != null) {
        throw DoubtBeforeActingTest.ec2Error(launchFault, 400);
      }
      if (requireCostCenterTag && !hasCostCenter(request)) {
        throw FakeEc2.unauthorized();
      }
      return super.runInstances(request);
    }

    @Override
    public boolean dryRunAllowed(RunInstancesRequest request) {
      if (dryRunFailure != null) {
        throw dryRunFailure;
      }
      if (requireCostCenterTag && !hasCostCenter(request)) {
        ec2.dryRuns.incrementAndGet();
        return false;
      }
      return super.dryRunAllowed(request);
    }

    @Override
    public String rootDeviceName(String imageId) {
      if (imagesDenied) {
        throw DoubtBeforeActingTest.ec2Error("UnauthorizedOperation", 403);
      }
      return super.rootDeviceName(imageId);
    }
  };

  private static boolean hasCostCenter(RunInstancesRequest r) {
    return r.tagSpecifications().stream().flatMap(t -> t.tags().stream()).anyMatch(t -> t.key().equals("CostCenter"));
  }

  private final PauseProbe probe = new PauseProbe(pause, port, Ec2Budget.unlimited(), knownGood,
      new Ec2ErrorClassifier(), () -> false);

  private LaunchHandler handler(KnownGoodLaunch known) {
    cap.refresh();
    return new LaunchHandler(new RequestReader(LaunchPolicy.permissive()),
        new RunInstancesMapper(LaunchDefaults.none()), port, new Ec2ErrorClassifier(),
        new RetryBackoff(new WorkerConfig.Retry(Duration.ofSeconds(5), Duration.ofMinutes(15), Duration.ofMinutes(2),
            Duration.ofMinutes(10)), new SplittableRandom(1)), Ec2Budget.unlimited(), cap, Duration.ZERO,
        3, pause, TokenSignature.none(), metrics,
        new LaunchHandler.Doubting(ConsistencyWindow.none(clock), known, OptionalInt.empty()));
  }

  private final LaunchHandler handler = handler(knownGood);

  private Outcome handle(String id, int rc, String body) {
    return handler.handle(new InFlightMessage(id, "r-" + rc, body, rc, SENT, clock.instant(),
        clock.instant().plusSeconds(60), Map.of(), Optional.empty()), () -> false).outcome();
  }

  /** Runs the scheduler's probe for an hour of back-offs. */
  private void probeForAnHour() {
    for (int s = 0; s < 3600; s++) {
      clock.advance(Duration.ofSeconds(1));
      probe.run();
    }
  }

  /**
   * IAM now denies the type of the only launch this process knows (t3.micro), nothing else. A t3.micro request's
   * UnauthorizedOperation cannot be judged by a DryRun of another launch, so the worker pauses; its quiet probe
   * (a DryRun of that same launch) would never pass, so after a few it probes with one message per back-off: a
   * request of another type launches and resumes the worker instead of the pause lasting for ever.
   */
  @Test
  void aDenialOfTheOnlyKnownLaunchesTypeFallsBackToProbingWithAMessage() {
    assertThat(handle("m-1", 1, T3).kind()).isEqualTo(OutcomeKind.LAUNCHED);
    ec2.denyInstanceType("t3.micro");
    handle("m-2", 1, T3);
    probeForAnHour();

    clock.advance(pause.untilProbe());
    assertThat(pause.receiveLimit()).as("a probe message an hour later: " + pause.current()).contains(1);
    // The probe message is a launch of another type: it goes through and resumes everyone.
    assertThat(handle("m-3", 1, M7).kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(pause.current()).isEmpty();
  }

  @Test
  void aDenialOfOneTypeIsJudgedByAKnownLaunchOfAnotherType() {
    assertThat(handle("m-1", 1, T3).kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(handle("m-2", 1, M7).kind()).isEqualTo(OutcomeKind.LAUNCHED);
    ec2.denyInstanceType("m7i.large");

    Outcome outcome = handle("m-3", 1, M7);

    assertThat(outcome.reason()).isEqualTo("ec2:UnauthorizedOperation");
    assertThat(pause.current()).isEmpty();
  }

  /**
   * An SCP requires a CostCenter tag on RunInstances; every request carries it. A fresh replica (no launch of its
   * own) gets a request for a denied type: the DryRun of the rebuilt known launch has only the worker's tags, is
   * denied, and the replica pauses and probes with that same tagless DryRun for ever.
   */
  @Test
  void theRebuiltKnownLaunchKeepsTheProducersTagsSoAnScpRequiringThemDoesNotPauseAFreshReplica() {
    requireCostCenterTag = true;
    String t3 = T3.replace("}", ",\"tags\":{\"CostCenter\":\"42\"}}");
    String p5 = P5.replace("}", ",\"tags\":{\"CostCenter\":\"42\"}}");
    assertThat(handle("m-1", 1, t3).kind()).isEqualTo(OutcomeKind.LAUNCHED);
    HourlyInstanceCap freshCap = new HourlyInstanceCap(1_000, ec2, Ec2Budget.unlimited(), clock, metrics);
    freshCap.refresh();
    KnownGoodLaunch fresh = new KnownGoodLaunch(freshCap::newestCountedLaunch);
    ec2.denyInstanceType("p5.48xlarge");

    Outcome outcome = handler(fresh).handle(new InFlightMessage("m-2", "r", p5, 1, SENT, clock.instant(),
        clock.instant().plusSeconds(60), Map.of(), Optional.empty()), () -> false).outcome();

    assertThat(outcome.reason()).as("should be the request's own rejection").isEqualTo("ec2:UnauthorizedOperation");
  }

  /**
   * PendingVerification (or Blocked, OptInRequired): a DryRun checks permissions, not these, so it would pass and lift
   * the pause every probe period. They are probed with one message per back-off instead; the pause holds.
   */
  @Test
  void aVerificationHoldIsProbedWithOneMessagePerBackOffNeverByADryRunThatWouldLiftIt() {
    assertThat(handle("m-1", 1, T3).kind()).isEqualTo(OutcomeKind.LAUNCHED);
    launchFault = "PendingVerification";
    int receives = 0;
    int dryRuns = ec2.dryRuns.get();
    for (int rc = 1; rc <= 20; rc++) {
      if (pause.receiveLimit().orElse(10) > 0) {
        receives++;
        handle("m-2", receives, M7);
      }
      clock.advance(Duration.ofSeconds(30));
      probe.run();
      assertThat(pause.current()).as("the hold never lifts").isPresent();
    }
    // One probe message per back-off (5 s doubling to 2 min) in 10 minutes, not a batch per probe period.
    assertThat(receives).as("receives of m-2 while the account is on hold").isBetween(2, 8);
    assertThat(ec2.dryRuns.get()).isEqualTo(dryRuns);
  }

  /** DescribeImages denied, DescribeInstances allowed: the probe asks DescribeImages again, so the pause holds. */
  @Test
  void aDescribeImagesFaultIsProbedWithDescribeImagesAndHoldsWhileItPersists() {
    imagesDenied = true;
    String withRoot = "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\",\"rootVolume\":{\"sizeGiB\":40}}";
    assertThat(handle("m-1", 1, withRoot).reason()).isEqualTo(Outcome.ACCOUNT_FAULT);
    clock.advance(Duration.ofSeconds(5));
    probe.run();

    assertThat(pause.current()).as("DescribeImages is still denied").isPresent();
    imagesDenied = false;
    clock.advance(pause.untilProbe());
    probe.run();
    assertThat(pause.current()).isEmpty();
  }

  /** A throttled DryRun says nothing about the account: nobody pauses, the message comes back unattempted. */
  @Test
  void aThrottledDryRunPausesNobody() {
    assertThat(handle("m-1", 1, T3).kind()).isEqualTo(OutcomeKind.LAUNCHED);
    ec2.denyInstanceType("p5.48xlarge");
    dryRunFailure = DoubtBeforeActingTest.ec2Error("RequestLimitExceeded", 503);

    Outcome outcome = handle("m-2", 1, P5);

    assertThat(pause.current()).as(outcome.toString()).isEmpty();
    assertThat(outcome.countsAsAttempt()).isFalse();
  }
}
