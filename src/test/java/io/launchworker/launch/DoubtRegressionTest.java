package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.config.WorkerConfig;
import io.launchworker.message.Decision;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import io.launchworker.settle.DeadLetterQueue;
import io.launchworker.settle.DeleteBatcher;
import io.launchworker.settle.Ec2ErrorClassifier;
import io.launchworker.settle.RetryBackoff;
import io.launchworker.settle.Settler;
import io.launchworker.settle.TokenSignature;
import io.launchworker.testing.ForwardingEc2Port;
import io.launchworker.testing.MutableClock;
import io.launchworker.testing.ScriptedSqs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 17: the doubt must hold on every path that ends a message unlaunched (a failed look-up at the last
 * attempt, a stop at the queue's last receive) and be remembered per message, not per clientToken. On a fake EC2
 * whose reads lag and a fake clock. (Two copies of one clientToken in flight at once remain: operating.md, "What
 * remains"; the fleet simulation counts them.)
 */
class DoubtRegressionTest {
  private static final Instant SENT = Instant.parse("2026-12-07T10:00:00Z");
  private static final Duration WINDOW = Duration.ofMinutes(2);
  private static final int MAX_ATTEMPTS = 5;
  private static final String ONE_TYPE = "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"c7i.large\"}";
  private static final String TWO_TYPES = "{\"imageId\":\"ami-0123456789abcdef0\","
      + "\"instanceTypes\":[\"c7i.large\",\"m7i.large\"],\"subnetId\":\"subnet-0aaa1111\"}";

  private final MutableClock clock = new MutableClock(SENT);
  private final FakeEc2 ec2 = new FakeEc2(clock);
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private final WorkerConfig.Retry retry = new WorkerConfig.Retry(Duration.ofSeconds(5), Duration.ofMinutes(15),
      Duration.ofMinutes(2), Duration.ofMinutes(10));
  /** Reads show a launch only once this long has passed since it (less than or equal to one window). */
  private Duration lag = WINDOW.minusSeconds(1);
  private final List<Instant> launchTimes = new ArrayList<>();
  private final List<Duration> waits = new ArrayList<>();

  /** EC2 whose reads lag each launch by {@code lag} (within the window, as the design assumes). */
  private final class Lagging extends ForwardingEc2Port {
    int lookupFailures;

    Lagging() {
      super(ec2);
    }

    @Override
    public Reservation runInstances(software.amazon.awssdk.services.ec2.model.RunInstancesRequest r) {
      Reservation res = super.runInstances(r);
      launchTimes.add(clock.instant());
      return res;
    }

    @Override
    public List<FoundInstance> findByToken(String token, TokenFilter filter) {
      if (lookupFailures > 0) {
        lookupFailures--;
        throw DoubtBeforeActingTest.ec2Error("Unavailable", 503);
      }
      catchUpDue();
      return super.findByToken(token, filter);
    }

    @Override
    public List<FoundInstance> findByClientTokens(List<String> tokens) {
      catchUpDue();
      return super.findByClientTokens(tokens);
    }

    private void catchUpDue() {
      if (!launchTimes.isEmpty() && !clock.instant().isBefore(launchTimes.get(launchTimes.size() - 1).plus(lag))) {
        ec2.catchUp();
      }
    }
  }

  private final Lagging base = new Lagging();

  private DoubtBeforeActingTest.Script script() {
    return new DoubtBeforeActingTest.Script(base);
  }

  private LaunchHandler process(Ec2Port port, OptionalInt maxReceiveCount) {
    HourlyInstanceCap cap = new HourlyInstanceCap(1_000, ec2, Ec2Budget.unlimited(), clock, metrics);
    cap.refresh();
    ConsistencyWindow consistency = new ConsistencyWindow(WINDOW, clock, (d, stopping) -> {
      waits.add(d);
      if (stopping.getAsBoolean()) {
        return false;
      }
      clock.advance(d);
      return true;
    });
    return new LaunchHandler(new RequestReader(LaunchPolicy.permissive()),
        new RunInstancesMapper(LaunchDefaults.none()), port, new Ec2ErrorClassifier(),
        new RetryBackoff(retry, new SplittableRandom(1)), Ec2Budget.unlimited(), cap, Duration.ofHours(1),
        MAX_ATTEMPTS, new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofMinutes(2)),
        TokenSignature.none(), metrics,
        new LaunchHandler.Doubting(consistency, new KnownGoodLaunch(Optional::empty), maxReceiveCount));
  }

  private InFlightMessage message(String id, int rc, String body) {
    return new InFlightMessage(id, "receipt-" + id + "-" + rc, body, rc, SENT, clock.instant(),
        clock.instant().plusSeconds(60), Map.of(), Optional.empty());
  }

  /**
   * Attempt 4 launched, its answer was lost, the process died. Attempt 5 (the last) lands on another replica while
   * DescribeInstances is unavailable for a while: every look-up fails, the handler returns lookup_failed (an
   * attempt), and the Settler turns that into max_attempts_exceeded. The request is dead-lettered while its
   * instance runs, without any empty look-up.
   */
  @Test
  void aFailingLookUpAtTheLastAttemptDeadLettersALaunchedRequest() {
    DoubtBeforeActingTest.Script port = script();
    port.loseNextAnswerAfterLaunch();
    ec2.launchesShowAtOnce(false);
    Outcome fourth = process(port, OptionalInt.empty()).handle(message("m-1", MAX_ATTEMPTS - 1, ONE_TYPE),
        () -> false).outcome();
    assertThat(fourth.kind()).isEqualTo(OutcomeKind.RETRY);
    clock.advance(fourth.retryDelay());

    base.lookupFailures = 2;
    InFlightMessage last = message("m-1", MAX_ATTEMPTS, ONE_TYPE);
    Outcome outcome = process(port, OptionalInt.empty()).handle(last, () -> false).outcome();

    ScriptedSqs sqs = new ScriptedSqs();
    Settler settler = new Settler(sqs, "https://q", new DeleteBatcher(sqs, "https://q", metrics),
        new DeadLetterQueue(sqs, "https://dlq", metrics), Optional.empty(), MAX_ATTEMPTS, metrics, clock);
    Decision applied = settler.settle(last, new Decision("m-1", "m-1", Optional.empty(), MAX_ATTEMPTS,
        Optional.empty(), SENT, clock.instant(), clock.instant(), outcome));

    assertThat(port.launched).isEqualTo(1);
    // What the promise needs: not dead-lettered (the doubt was never cleared). What happens:
    assertThat(applied.outcome().kind()).as(applied.outcome().toString()).isNotEqualTo(OutcomeKind.REJECTED);
  }

  /**
   * Shutdown at the queue's last receive: the handler releases the message before any look-up, and the release is
   * turned into a receive_limit_reached dead letter, although an earlier attempt launched it.
   */
  @Test
  void aStopAtTheLastReceiveDeadLettersWithoutALookUp() {
    DoubtBeforeActingTest.Script port = script();
    port.loseNextAnswerAfterLaunch();
    ec2.launchesShowAtOnce(false);
    process(port, OptionalInt.of(5)).handle(message("m-1", 4, ONE_TYPE), () -> false);
    clock.advance(Duration.ofSeconds(30));

    Outcome outcome = process(port, OptionalInt.of(5)).handle(message("m-1", 5, ONE_TYPE), () -> true).outcome();

    assertThat(port.launched).isEqualTo(1);
    assertThat(outcome.kind()).as(outcome.toString()).isNotEqualTo(OutcomeKind.REJECTED);
  }

  /**
   * DoubtMemory is keyed by token: a second message with the same clientToken (the producer's retry) at receive
   * k+1 uses the first message's receive-k memory, so its one immediate look-up counts as evidence although
   * another process launched the second message's shape 2 only seconds ago.
   */
  @Test
  void memoryOfOneMessageIsTakenForAnotherWithTheSameClientToken() {
    DoubtBeforeActingTest.Script port = script();
    String body = TWO_TYPES.replace("{", "{\"clientToken\":\"ci-job-42\",");
    LaunchHandler p = process(port, OptionalInt.empty());
    LaunchHandler q = process(port, OptionalInt.empty());
    ec2.launchesShowAtOnce(false);

    // P: m-1 at receive 2 fails unclearly on shape 1 (a 503 that launched nothing): memory (ci-job-42, 2).
    clock.advance(Duration.ofMinutes(3));
    port.refuseNext("InternalError");
    Outcome m1 = p.handle(message("m-1", 2, body), () -> false).outcome();
    assertThat(m1.kind()).isEqualTo(OutcomeKind.RETRY);

    // Q: m-2 (same clientToken) at receive 2, long after its hold: shape 1 refused, shape 2 launches, answer lost,
    // Q dies; m-2's visibility (60 s) lapses.
    clock.advance(Duration.ofMinutes(3));
    port.refuseNext("InsufficientInstanceCapacity");
    port.loseNextAnswerAfterLaunch();
    Outcome m2 = q.handle(message("m-2", 2, body), () -> false).outcome();
    assertThat(port.launched).isEqualTo(1);
    clock.advance(Duration.ofSeconds(60));

    // P receives m-2 at receive 3: P's memory of m-1 at receive 2 matches, the immediate look-up (60 s after Q's
    // launch, inside the lag) is taken as evidence, and shape 1 (capacity back) is tried.
    Outcome again = p.handle(message("m-2", 3, body), () -> false).outcome();

    assertThat(port.launched).as("instances for one request; outcome " + again).isEqualTo(1);
  }

  @Test
  void controlWithoutTheOtherMessagesMemoryTheLaunchIsFound() {
    DoubtBeforeActingTest.Script port = script();
    String body = TWO_TYPES.replace("{", "{\"clientToken\":\"ci-job-42\",");
    LaunchHandler p = process(port, OptionalInt.empty());
    LaunchHandler q = process(port, OptionalInt.empty());
    ec2.launchesShowAtOnce(false);
    clock.advance(Duration.ofMinutes(6));
    port.refuseNext("InsufficientInstanceCapacity");
    port.loseNextAnswerAfterLaunch();
    q.handle(message("m-2", 2, body), () -> false).outcome();
    clock.advance(Duration.ofSeconds(60));
    Outcome again = p.handle(message("m-2", 3, body), () -> false).outcome();
    assertThat(port.launched).as("outcome " + again).isEqualTo(1);
  }


}
