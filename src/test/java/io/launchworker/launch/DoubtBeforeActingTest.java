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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Issue 17: nothing irreversible rests on one look-up or one ambiguous refusal. Each "process" is a handler of its
 * own (no memory of the other's attempts) on one fake EC2 whose reads lag behind its launches until the window has
 * passed; time is a fake clock the consistency wait moves.
 */
class DoubtBeforeActingTest {
  private static final Instant SENT = Instant.parse("2026-12-07T10:00:00Z");
  private static final Duration WINDOW = Duration.ofMinutes(2);
  private static final int MAX_ATTEMPTS = 5;
  private static final String TWO_TYPES = "{\"imageId\":\"ami-0123456789abcdef0\","
      + "\"instanceTypes\":[\"c7i.large\",\"m7i.large\"],\"subnetId\":\"subnet-0aaa1111\"}";
  private static final String SPOT_THEN_ON_DEMAND = "{\"imageId\":\"ami-0123456789abcdef0\","
      + "\"instanceType\":\"c7i.large\",\"subnetId\":\"subnet-0aaa1111\",\"market\":\"spot-then-on-demand\"}";
  private static final String ONE_TYPE = "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"c7i.large\"}";

  private final MutableClock clock = new MutableClock(SENT);
  private final FakeEc2 ec2 = new FakeEc2(clock);
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private final WorkerConfig.Retry retry = new WorkerConfig.Retry(Duration.ofSeconds(5), Duration.ofMinutes(15),
      Duration.ofMinutes(2), Duration.ofMinutes(10));
  /** How long each handler waited in place for the window, in all. */
  private final List<Duration> waits = new ArrayList<>();
  /** EC2's reads catch up once this much time has passed since the test began (less than a window). */
  private Duration readLag = Duration.ofSeconds(45);

  /** A fresh process: its own handler, cap and pause, on the shared EC2. */
  private final class Process {
    final AccountFaultPause pause = new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofMinutes(2));
    final LaunchHandler handler;

    Process(Ec2Port port, LaunchPolicy policy, Duration window) {
      HourlyInstanceCap cap = new HourlyInstanceCap(1_000, ec2, Ec2Budget.unlimited(), clock, metrics);
      cap.refresh();
      ConsistencyWindow consistency = new ConsistencyWindow(window, clock, (d, stopping) -> {
        waits.add(d);
        clock.advance(d);
        if (Duration.between(SENT, clock.instant()).compareTo(readLag) >= 0) {
          ec2.catchUp();
        }
        return true;
      });
      handler = new LaunchHandler(new RequestReader(policy), new RunInstancesMapper(LaunchDefaults.none()), port,
          new Ec2ErrorClassifier(), new RetryBackoff(retry, new SplittableRandom(1)), Ec2Budget.unlimited(), cap,
          Duration.ofHours(1), MAX_ATTEMPTS, pause, TokenSignature.none(), metrics,
          new LaunchHandler.Doubting(consistency, new KnownGoodLaunch(Optional::empty), OptionalInt.empty()));
    }

    Process(Ec2Port port) {
      this(port, LaunchPolicy.permissive(), WINDOW);
    }

    Outcome handle(String messageId, int receiveCount, String body) {
      return handler.handle(message(messageId, receiveCount, body), () -> false).outcome();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {TWO_TYPES, SPOT_THEN_ON_DEMAND})
  void anotherProcessDoesNotTryAnEarlierShapeWhileTheLookUpLags(String body) {
    Script script = new Script(ec2);
    script.refuseNext("InsufficientInstanceCapacity");
    script.loseNextAnswerAfterLaunch();
    ec2.launchesShowAtOnce(false);

    Outcome first = new Process(script).handle("m-1", 1, body);
    // Another replica takes the redelivery; shape 1 has capacity again and its ClientToken was never used.
    Outcome second = new Process(script).handle("m-1", 2, body);

    assertThat(first.kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(first.retryDelay()).isGreaterThanOrEqualTo(WINDOW);
    assertThat(second.kind()).isEqualTo(OutcomeKind.ALREADY_LAUNCHED);
    assertThat(script.launched).isEqualTo(1);
    assertThat(waits).hasSize(1);
  }

  @Test
  void withoutAWindowTheSameRedeliveryLaunchesTwice() {
    Script script = new Script(ec2);
    script.refuseNext("InsufficientInstanceCapacity");
    script.loseNextAnswerAfterLaunch();
    ec2.launchesShowAtOnce(false);

    new Process(script, LaunchPolicy.permissive(), Duration.ZERO).handle("m-1", 1, TWO_TYPES);
    Outcome second = new Process(script, LaunchPolicy.permissive(), Duration.ZERO).handle("m-1", 2, TWO_TYPES);

    // What issue 17 measured: one look-up trusted, the earlier shape tried, two instances.
    assertThat(second.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(script.launched).isEqualTo(2);
  }

  @Test
  void theSameProcessResendsTheUnclearShapeAtOnceAndEc2AnswersWithItsReservation() {
    Script script = new Script(ec2);
    script.honourClientTokens = true;
    script.refuseNext("InsufficientInstanceCapacity");
    script.loseNextAnswerAfterLaunch();
    ec2.launchesShowAtOnce(false);
    Process process = new Process(script);

    Outcome first = process.handle("m-1", 1, TWO_TYPES);
    clock.advance(first.retryDelay());
    Outcome second = process.handle("m-1", 2, TWO_TYPES);

    assertThat(second.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(script.calls).extracting(RunInstancesRequest::instanceTypeAsString)
        .containsExactly("c7i.large", "m7i.large", "m7i.large");
    assertThat(script.launched).isEqualTo(1);
    assertThat(waits).isEmpty();
  }

  @Test
  void aRedeployThatDropsTheTypeDoesNotRejectARequestWhoseLaunchTheLookUpCannotSeeYet() {
    Script script = new Script(ec2);
    script.loseNextAnswerAfterLaunch();
    ec2.launchesShowAtOnce(false);
    new Process(script).handle("m-1", 1, ONE_TYPE);

    LaunchPolicy tightened = new LaunchPolicy(List.of("*"), List.of("t3.*"), List.of("*"), 10, 1000);
    Outcome afterRedeploy = new Process(script, tightened, WINDOW).handle("m-1", 2, ONE_TYPE);

    assertThat(afterRedeploy.kind()).isEqualTo(OutcomeKind.ALREADY_LAUNCHED);
    assertThat(waits).hasSize(1);
  }

  @Test
  void aRepeatThatNeverLaunchedIsRejectedOnlyAfterLookUpsAWindowApart() {
    Script script = new Script(ec2);
    LaunchPolicy tightened = new LaunchPolicy(List.of("*"), List.of("t3.*"), List.of("*"), 10, 1000);

    Outcome outcome = new Process(script, tightened, WINDOW).handle("m-1", 2, ONE_TYPE);

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(outcome.reason()).isEqualTo("instance_type_not_allowed");
    assertThat(waits).containsExactly(WINDOW);
    assertThat(ec2.clientTokenLookups.get()).isEqualTo(2);
  }

  @Test
  void anExpiredRepeatWhoseLaunchLagsIsFoundNotExpired() {
    Script script = new Script(ec2);
    script.loseNextAnswerAfterLaunch();
    ec2.launchesShowAtOnce(false);
    new Process(script).handle("m-1", 1, ONE_TYPE);
    clock.advance(Duration.ofHours(2));
    readLag = Duration.ofHours(3);
    ec2.launchesShowAtOnce(false);

    Process later = new Process(script);
    Outcome outcome = later.handle("m-1", 2, ONE_TYPE);

    // EC2 still shows nothing a window later: only then is the request expired.
    assertThat(outcome.kind()).isEqualTo(OutcomeKind.EXPIRED);
    assertThat(waits).hasSize(1);

    ec2.catchUp();
    assertThat(later.handle("m-1", 3, ONE_TYPE).kind()).isEqualTo(OutcomeKind.ALREADY_LAUNCHED);
  }

  @Test
  void anUnclearFailureAtTheLastAttemptIsLookedUpAWindowLaterBeforeItIsDeadLettered() {
    Script script = new Script(ec2);
    script.loseNextAnswerAfterLaunch();
    ec2.launchesShowAtOnce(false);

    Outcome outcome = new Process(script).handle("m-1", MAX_ATTEMPTS, ONE_TYPE);

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.ALREADY_LAUNCHED);
    assertThat(waits).hasSize(1);
  }

  @Test
  void aClientTokenRequestListingShapesWaitsOnTheQueueOnceThenLaunchesWithoutWaiting() {
    Script script = new Script(ec2);
    String body = TWO_TYPES.replace("{", "{\"clientToken\":\"ci-job-42\",");
    Process process = new Process(script);

    Outcome first = process.handle("m-1", 1, body);
    clock.advance(first.retryDelay());
    Outcome second = process.handle("m-1", 2, body);

    assertThat(first.kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(first.reason()).isEqualTo(Outcome.CONSISTENCY_HOLD);
    assertThat(first.countsAsAttempt()).isFalse();
    assertThat(first.retryDelay()).isEqualTo(WINDOW);
    assertThat(second.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(waits).isEmpty();
  }

  @Test
  void aSecondMessageWithTheSameClientTokenFindsTheFirstLaunchOnceTheWindowHasPassed() {
    Script script = new Script(ec2);
    script.refuseNext("InsufficientInstanceCapacity");
    ec2.launchesShowAtOnce(false);
    String body = TWO_TYPES.replace("{", "{\"clientToken\":\"ci-job-42\",");
    Process process = new Process(script);
    clock.advance(Duration.ofSeconds(1));
    // The producer's SendMessage timed out but went through: two messages, one clientToken. The first launches on
    // shape 2 after waiting its window; the second comes a moment later while EC2's reads still lag.
    Outcome held = process.handle("m-1", 1, body);
    clock.advance(held.retryDelay());
    Outcome launched = process.handle("m-1", 2, body);
    Outcome duplicate = process.handle("m-2", 1, body);
    clock.advance(duplicate.retryDelay());
    ec2.catchUp();
    Outcome found = new Process(script).handle("m-2", 2, body);

    assertThat(launched.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(duplicate.reason()).isEqualTo(Outcome.CONSISTENCY_HOLD);
    assertThat(found.kind()).isEqualTo(OutcomeKind.ALREADY_LAUNCHED);
    assertThat(script.launched).isEqualTo(1);
  }

  private InFlightMessage message(String messageId, int receiveCount, String body) {
    return new InFlightMessage(messageId, "receipt-" + receiveCount, body, receiveCount, SENT, clock.instant(),
        clock.instant().plusSeconds(60), Map.of(), Optional.empty());
  }

  static Ec2Exception ec2Error(String code, int status) {
    return (Ec2Exception) Ec2Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("injected").build()).build();
  }

  /** The fake EC2 with a script of refusals and lost answers; launches on every call unless told to honour tokens. */
  static final class Script extends ForwardingEc2Port {
    final List<RunInstancesRequest> calls = new ArrayList<>();
    private final List<Object> script = new ArrayList<>();
    private final Map<String, Reservation> byClientToken = new java.util.HashMap<>();
    boolean honourClientTokens;
    int launched;

    Script(Ec2Port delegate) {
      super(delegate);
    }

    void refuseNext(String code) {
      script.add(code);
    }

    void loseNextAnswerAfterLaunch() {
      script.add(Boolean.TRUE);
    }

    @Override
    public synchronized Reservation runInstances(RunInstancesRequest request) {
      calls.add(request);
      Reservation earlier = honourClientTokens ? byClientToken.get(request.clientToken()) : null;
      if (earlier != null) {
        return earlier;
      }
      Object next = script.isEmpty() ? null : script.remove(0);
      if (next instanceof String code) {
        throw ec2Error(code, code.startsWith("Insufficient") ? 500 : 400);
      }
      Reservation reservation = delegate.runInstances(request);
      launched++;
      byClientToken.put(request.clientToken(), reservation);
      if (Boolean.TRUE.equals(next)) {
        throw SdkClientException.create("connection reset after launch");
      }
      return reservation;
    }
  }
}
