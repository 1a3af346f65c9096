package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.config.WorkerConfig;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.MessageAttributes;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.LaunchRequest;
import io.launchworker.request.LaunchTags;
import io.launchworker.request.ReadResult;
import io.launchworker.request.RequestHash;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Issue 19, item 3: a producer's {@code clientToken} is scoped by the SQS {@code SenderId}, so one producer's retries
 * meet and another producer using the same {@code clientToken} can neither block nor borrow the request; messages
 * launched by a release before the scoping still find their launch. On a fake EC2 that honours ClientTokens as EC2
 * does (same token and parameters: the same reservation; other parameters: {@code IdempotentParameterMismatch}).
 */
class SenderScopedTokenTest {
  private static final Instant SENT = Instant.parse("2026-12-10T09:00:00Z");
  private static final String VICTIM = "AROAVICTIM:ci-runner";
  private static final String SQUATTER = "AIDASQUATTER";
  private static final String VICTIM_BODY = "{\"clientToken\":\"ci-job-42\",\"imageId\":\"ami-0123456789abcdef0\","
      + "\"instanceType\":\"c7i.large\",\"tags\":{\"team\":\"ci\"}}";
  private static final String SQUATTER_BODY = "{\"clientToken\":\"ci-job-42\",\"imageId\":\"ami-0123456789abcdef0\","
      + "\"instanceType\":\"t3.micro\"}";
  private static final LaunchPolicy ALLOW_ALL = LaunchPolicy.permissive();

  private final MutableClock clock = new MutableClock(SENT);
  private final FakeEc2 ec2 = new FakeEc2(clock);
  private final HonoursClientTokens port = new HonoursClientTokens(ec2);
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private final RunInstancesMapper mapper = new RunInstancesMapper(LaunchDefaults.none());

  private LaunchHandler handler(TokenSignature signatures) {
    HourlyInstanceCap cap = new HourlyInstanceCap(1_000, ec2, Ec2Budget.unlimited(), clock, metrics);
    cap.refresh();
    return new LaunchHandler(new RequestReader(ALLOW_ALL), mapper, port, new Ec2ErrorClassifier(),
        new RetryBackoff(new WorkerConfig.Retry(Duration.ofSeconds(5), Duration.ofMinutes(15), Duration.ofMinutes(2),
            Duration.ofMinutes(10)), new SplittableRandom(1)), Ec2Budget.unlimited(), cap, Duration.ofHours(1), clock,
        10, new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofMinutes(2)), signatures, metrics);
  }

  private final LaunchHandler handler = handler(TokenSignature.none());

  @Test
  void aProducerCannotSquatAnotherProducersClientTokenWhileItsRequestWaitsForCapacity() {
    port.refuseNext("InsufficientInstanceCapacity");
    Outcome waiting = handle("m-victim", 1, VICTIM, VICTIM_BODY).outcome();
    // Another producer sends another request under the same clientToken, and gets capacity first.
    LaunchHandler.Result squatted = handle("m-squatter", 1, SQUATTER, SQUATTER_BODY);
    clock.advance(waiting.retryDelay());

    LaunchHandler.Result victim = handle("m-victim", 2, VICTIM, VICTIM_BODY);

    assertThat(waiting.kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(squatted.outcome().kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(victim.outcome().kind()).as(victim.outcome().reason()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(victim.token().value()).isNotEqualTo(squatted.token().value());
    assertThat(instanceTypesTagged(victim.token().value())).containsExactly("c7i.large");
    assertThat(instanceTypesTagged(squatted.token().value())).containsExactly("t3.micro");
  }

  @Test
  void anotherProducersIdenticalRequestIsLaunchedForItRatherThanToldTheFirstOnesInstances() {
    Outcome first = handle("m-1", 1, VICTIM, VICTIM_BODY).outcome();

    Outcome other = handle("m-2", 1, SQUATTER, VICTIM_BODY).outcome();

    assertThat(other.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(ids(other)).doesNotContainAnyElementsOf(ids(first));
  }

  @Test
  void oneProducersRetryUnderItsClientTokenStillFindsTheFirstLaunch() {
    Outcome first = handle("m-1", 1, VICTIM, VICTIM_BODY).outcome();

    Outcome retry = handle("m-2", 1, VICTIM, VICTIM_BODY).outcome();

    assertThat(retry.kind()).isEqualTo(OutcomeKind.ALREADY_LAUNCHED);
    assertThat(retry.reason()).isEqualTo("found_by_client_token");
    assertThat(ids(retry)).isEqualTo(ids(first));
    assertThat(ec2.runInstancesCalls).hasValue(1);
  }

  @Test
  void aMessageLaunchedByTheUnscopedReleaseFindsItsLaunchWhenRedeliveredAfterTheUpgrade() {
    String launched = launchedBeforeTheUpgrade("m-1", VICTIM_BODY);

    Outcome redelivered = handle("m-1", 2, VICTIM, VICTIM_BODY).outcome();

    assertThat(redelivered.kind()).isEqualTo(OutcomeKind.ALREADY_LAUNCHED);
    assertThat(redelivered.instances()).extracting(Outcome.InstanceRef::instanceId).containsExactly(launched);
    assertThat(ec2.runInstancesCalls).as("only the launch before the upgrade").hasValue(1);
  }

  @Test
  void aProducersRetrySentAfterTheUpgradeFindsTheLaunchOfItsFirstMessageBeforeIt() {
    String launched = launchedBeforeTheUpgrade("m-1", VICTIM_BODY);

    Outcome retry = handle("m-2", 1, VICTIM, VICTIM_BODY).outcome();

    assertThat(retry.kind()).isEqualTo(OutcomeKind.ALREADY_LAUNCHED);
    assertThat(retry.instances()).extracting(Outcome.InstanceRef::instanceId).containsExactly(launched);
    assertThat(ec2.runInstancesCalls).hasValue(1);
  }

  @Test
  void aSquattersLaunchUnderTheUnscopedClientTokenIsNeitherAConflictNorTakenForTheVictims() {
    String squatters = launchedBeforeTheUpgrade("m-squatter", SQUATTER_BODY);

    LaunchHandler.Result victim = handle("m-victim", 1, VICTIM, VICTIM_BODY);

    assertThat(victim.outcome().kind()).as(victim.outcome().reason()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(victim.outcome().instances()).extracting(Outcome.InstanceRef::instanceId).doesNotContain(squatters);
    assertThat(instanceTypesTagged(victim.token().value())).containsExactly("c7i.large");
  }

  @Test
  void aRedrivenDeadLetterKeepsTheTokenItWasScopedByWhoeverRedroveIt() {
    TokenSignature key = TokenSignature.of(Optional.of("worker-key"), Optional.empty());
    LaunchHandler signed = handler(key);
    LaunchHandler.Result first = handle(signed, "m-1", 1, VICTIM, VICTIM_BODY, Map.of());
    // The worker dead-lettered a copy of it (say, its delete was lost and a later receive was refused) with its
    // signed token; an operator redrove that copy: a new message ID and the operator's SenderId.
    String token = first.token().value();
    Map<String, String> deadLetter = Map.of(MessageAttributes.TOKEN, token,
        MessageAttributes.TOKEN_SIGNATURE, key.sign(token, VICTIM_BODY).orElseThrow());

    LaunchHandler.Result redriven = handle(signed, "m-redriven", 1, "AROAOPERATOR:console", VICTIM_BODY, deadLetter);

    assertThat(redriven.token()).isEqualTo(new Token(token, Token.Source.ATTRIBUTE));
    assertThat(redriven.outcome().kind()).isEqualTo(OutcomeKind.ALREADY_LAUNCHED);
    assertThat(ids(redriven.outcome())).isEqualTo(ids(first.outcome()));
    assertThat(ec2.runInstancesCalls).hasValue(1);
  }

  @Test
  void aTokenAttributeTheWorkerDidNotSignBesideAClientTokenIsRefusedUnlaunched() {
    LaunchHandler signed = handler(TokenSignature.of(Optional.of("worker-key"), Optional.empty()));
    String victims = handle(signed, "m-1", 1, VICTIM, VICTIM_BODY, Map.of()).token().value();

    Outcome forged = handle(signed, "m-2", 1, SQUATTER, VICTIM_BODY, Map.of(MessageAttributes.TOKEN, victims))
        .outcome();

    assertThat(forged.reason()).isEqualTo("token_signature_invalid");
    assertThat(forged.instances()).isEmpty();
    assertThat(ec2.runInstancesCalls).hasValue(1);
  }

  @Test
  void aMessageWithoutSenderIdIsScopedByTheEmptySenderWhichAllSuchMessagesShare() {
    LaunchHandler.Result first = handle(handler, "m-1", 1, null, VICTIM_BODY, Map.of());
    Outcome second = handle(handler, "m-2", 1, null, VICTIM_BODY, Map.of()).outcome();

    assertThat(first.token().value()).isEqualTo(Token.scoped(Optional.empty(), "ci-job-42"));
    assertThat(second.kind()).isEqualTo(OutcomeKind.ALREADY_LAUNCHED);
  }

  private LaunchHandler.Result handle(String messageId, int receiveCount, String senderId, String body) {
    return handle(handler, messageId, receiveCount, senderId, body, Map.of());
  }

  private LaunchHandler.Result handle(LaunchHandler with, String messageId, int receiveCount, String senderId,
      String body, Map<String, String> attributes) {
    InFlightMessage message = new InFlightMessage(messageId, "receipt-" + receiveCount, body, receiveCount, SENT,
        clock.instant(), clock.instant().plusSeconds(60), attributes, Optional.empty(),
        Optional.ofNullable(senderId));
    return with.handle(message, () -> false);
  }

  /**
   * What a release before sender scoping did with the message: RunInstances with the clientToken as it is for
   * ClientToken and token tag. Returns the instance ID.
   */
  private String launchedBeforeTheUpgrade(String messageId, String body) {
    LaunchRequest request = ((ReadResult.Accepted) new RequestReader(ALLOW_ALL).read(body)).request();
    String raw = request.clientToken().orElseThrow();
    RunInstancesRequest call = mapper.map(request, new RunInstancesMapper.Target(mapper.shapes(request).get(0), raw,
        Optional.empty()), raw, messageId, RequestHash.of(request));
    return port.runInstances(call).instances().get(0).instanceId();
  }

  private static List<String> ids(Outcome outcome) {
    return outcome.instances().stream().map(Outcome.InstanceRef::instanceId).toList();
  }

  private List<String> instanceTypesTagged(String token) {
    return port.calls.stream().filter(c -> c.tagSpecifications().get(0).tags().stream()
        .anyMatch(t -> t.key().equals(LaunchTags.TOKEN) && t.value().equals(token)))
        .map(RunInstancesRequest::instanceTypeAsString).distinct().toList();
  }

  /** EC2's ClientToken rule over the fake, and refusals on request; every call that launched is kept. */
  private static final class HonoursClientTokens extends ForwardingEc2Port {
    private final Map<String, RunInstancesRequest> byClientToken = new HashMap<>();
    private final Map<String, Reservation> answers = new HashMap<>();
    private final List<String> refusals = new ArrayList<>();
    final List<RunInstancesRequest> calls = new ArrayList<>();

    HonoursClientTokens(Ec2Port delegate) {
      super(delegate);
    }

    void refuseNext(String code) {
      refusals.add(code);
    }

    @Override
    public Reservation runInstances(RunInstancesRequest request) {
      if (!refusals.isEmpty()) {
        throw error(refusals.remove(0), 500);
      }
      RunInstancesRequest earlier = byClientToken.get(request.clientToken());
      if (earlier != null) {
        if (earlier.equals(request)) {
          return answers.get(request.clientToken());
        }
        throw error("IdempotentParameterMismatch", 400);
      }
      Reservation reservation = delegate.runInstances(request);
      byClientToken.put(request.clientToken(), request);
      answers.put(request.clientToken(), reservation);
      calls.add(request);
      return reservation;
    }

    private static Ec2Exception error(String code, int status) {
      return (Ec2Exception) Ec2Exception.builder().statusCode(status)
          .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("injected").build()).build();
    }
  }
}
