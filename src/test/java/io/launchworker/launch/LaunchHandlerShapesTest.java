package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.config.WorkerConfig;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.message.Placement;
import io.launchworker.message.ShapeRefusal;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.LaunchTags;
import io.launchworker.request.Market;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * The shape walk (market, then type, then subnet): which answers move a launch on, which do not, what each attempt
 * is sent, and that a lost answer on a later shape still launches once. On a fake EC2 and a fake clock.
 */
class LaunchHandlerShapesTest {
  private static final Instant SENT = Instant.parse("2026-11-30T10:00:00Z");
  private static final int MAX_ATTEMPTS = 5;
  private static final String A = "subnet-0aaa1111";
  private static final String B = "subnet-0bbb2222";
  /** Two types in two subnets, Spot first: eight shapes. */
  private static final String EIGHT_SHAPES = "{\"imageId\":\"ami-0123456789abcdef0\","
      + "\"instanceTypes\":[\"c7i.large\",\"m7i.large\"],\"subnetIds\":[\"" + A + "\",\"" + B + "\"],"
      + "\"market\":\"spot-then-on-demand\",\"spotMaxPrice\":\"0.05\"}";
  private static final String TWO_TYPES = "{\"imageId\":\"ami-0123456789abcdef0\","
      + "\"instanceTypes\":[\"c7i.large\",\"m7i.large\"],\"subnetId\":\"" + A + "\"}";

  private final MutableClock clock = new MutableClock(SENT);
  private final FakeEc2 ec2 = new FakeEc2(clock);
  private final Scripted scripted = new Scripted();
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private final AccountFaultPause pause = new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofMinutes(2));
  private final HourlyInstanceCap cap = new HourlyInstanceCap(1_000, ec2, Ec2Budget.unlimited(), clock, metrics);
  private final WorkerConfig.Retry retry = new WorkerConfig.Retry(Duration.ofSeconds(5), Duration.ofMinutes(15),
      Duration.ofMinutes(2), Duration.ofMinutes(10));
  /** RunInstances budget: one call a second on a fake clock; {@link #waited} is how long attempts waited for it. */
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicLong waited = new AtomicLong();
  private final RateGate runBudget = new RateGate(1, 1.0, nanos::get, (monitor, d) -> {
    nanos.addAndGet(d.toNanos());
    waited.addAndGet(d.toNanos());
  });
  private LaunchHandler handler = handler(scripted);

  private LaunchHandler handler(Ec2Port port) {
    return new LaunchHandler(new RequestReader(LaunchPolicy.permissive()), new RunInstancesMapper(LaunchDefaults.none()),
        port, new Ec2ErrorClassifier(), new RetryBackoff(retry, new SplittableRandom(1)),
        new Ec2Budget(runBudget, RateGate.system(1_000_000, 1_000_000)), cap, Duration.ZERO, clock, MAX_ATTEMPTS,
        pause, TokenSignature.none(), metrics);
  }

  @BeforeEach
  void countTheCap() {
    cap.refresh();
  }

  @ParameterizedTest
  @ValueSource(strings = {"InsufficientInstanceCapacity", "InsufficientCapacity", "Unsupported", "SpotMaxPriceTooLow",
      "MaxSpotInstanceCountExceeded", "InsufficientFreeAddressesInSubnet"})
  void eachAnswerProvingNothingLaunchedMovesToTheNextShape(String code) {
    scripted.refuse(code);

    Outcome outcome = handle("m-1", 1, TWO_TYPES);

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(scripted.calls).extracting(Call::instanceType).containsExactly("c7i.large", "m7i.large");
    assertThat(outcome.placement()).map(Placement::instanceType).contains(Optional.of("m7i.large"));
    assertThat(outcome.refusals()).extracting(ShapeRefusal::errorCode).containsExactly(code);
    assertThat(outcome.refusals().get(0).shape().instanceType()).contains("c7i.large");
    assertThat(ec2.findByToken("m-1", Ec2Port.TokenFilter.TAG)).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"InternalError", "Unavailable", "InvalidParameterValue",
      "InvalidAMIID.NotFound", "UnauthorizedOperation", "InvalidSubnetID.NotFound", "InstanceLimitExceeded",
      "VcpuLimitExceeded", "IdempotentParameterMismatch", "InsufficientHostCapacity", "network"})
  void everyOtherFailureStaysOnItsShape(String code) {
    if (code.equals("network")) {
      scripted.loseAnswer(false);
    } else {
      scripted.refuse(code);
    }

    Outcome outcome = handle("m-1", 1, TWO_TYPES);

    assertThat(scripted.calls).hasSize(1);
    assertThat(outcome.kind()).isNotEqualTo(OutcomeKind.LAUNCHED);
    assertThat(outcome.refusals()).isEmpty();
  }

  @Test
  void theWalkGoesMarketThenTypeThenSubnetAndEachShapeHasItsOwnClientTokenButTheRequestsTag() {
    for (int i = 0; i < 7; i++) {
      scripted.refuse("InsufficientInstanceCapacity");
    }

    Outcome outcome = handle("m-1", 1, EIGHT_SHAPES);

    assertThat(scripted.calls).extracting(Call::describe).containsExactly(
        "spot c7i.large " + A, "spot c7i.large " + B, "spot m7i.large " + A, "spot m7i.large " + B,
        "on-demand c7i.large " + A, "on-demand c7i.large " + B, "on-demand m7i.large " + A,
        "on-demand m7i.large " + B);
    assertThat(scripted.calls).extracting(Call::clientToken).doesNotHaveDuplicates()
        .first().isEqualTo("m-1");
    assertThat(scripted.calls).extracting(Call::clientToken).allSatisfy(t -> assertThat(t.length()).isLessThan(65));
    assertThat(scripted.calls).extracting(Call::tagToken).containsOnly("m-1");
    assertThat(scripted.calls.get(0).spotMaxPrice()).isEqualTo("0.05");
    assertThat(scripted.calls.get(4).spotMaxPrice()).isNull();
    assertThat(outcome.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(outcome.placement()).hasValueSatisfying(p -> {
      assertThat(p.market()).isEqualTo(Market.ON_DEMAND);
      assertThat(p.subnetId()).contains(B);
    });
    assertThat(outcome.refusals()).hasSize(7);
  }

  @Test
  void everyShapeRefusedComesBackAfterTheCapacityBackOffAndStartsAgainFromTheFirst() {
    for (int i = 0; i < 8; i++) {
      scripted.refuse("InsufficientInstanceCapacity");
    }
    scripted.refuse("Unsupported");

    Outcome first = handle("m-1", 1, EIGHT_SHAPES);
    Outcome second = handle("m-1", 2, EIGHT_SHAPES);

    assertThat(first.kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(first.reason()).isEqualTo("insufficient_capacity");
    assertThat(first.retryDelay()).isGreaterThanOrEqualTo(Duration.ofMinutes(1));
    assertThat(first.detail()).startsWith("every shape refused: spot c7i.large " + A + ": InsufficientInstanceCapacity");
    assertThat(first.refusals()).hasSize(8);
    assertThat(second.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(scripted.calls.subList(8, 10)).extracting(Call::describe)
        .containsExactly("spot c7i.large " + A, "spot c7i.large " + B);
  }

  @Test
  void anAccountFaultOnAFallbackShapePausesLaunchingWithoutUsingAnAttemptAndKeepsTheRefusals() {
    scripted.refuse("InsufficientInstanceCapacity");
    scripted.refuse("UnauthorizedOperation");

    Outcome outcome = handle("m-1", 1, TWO_TYPES);

    assertThat(outcome.reason()).isEqualTo("account_fault");
    assertThat(outcome.countsAsAttempt()).isFalse();
    assertThat(pause.current()).isPresent();
    assertThat(outcome.refusals()).extracting(ShapeRefusal::errorCode).containsExactly("InsufficientInstanceCapacity");
    assertThat(scripted.calls).hasSize(2);
  }

  @Test
  void aRequestWhoseEveryShapeIsUnsupportedIsRejectedAsOneOfOneShapeAlwaysWas() {
    scripted.refuse("Unsupported");
    scripted.refuse("Unsupported");

    Outcome outcome = handle("m-1", 1, TWO_TYPES);

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(outcome.reason()).isEqualTo("ec2:Unsupported");
    assertThat(outcome.refusals()).hasSize(2);
  }

  @Test
  void eachAttemptTakesARunInstancesBudgetToken() {
    scripted.refuse("InsufficientInstanceCapacity");
    scripted.refuse("InsufficientInstanceCapacity");
    scripted.refuse("InsufficientInstanceCapacity");

    handle("m-1", 1, "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceTypes\":[\"c7i.large\",\"m7i.large\","
        + "\"r7i.large\",\"t3.large\"]}");

    assertThat(scripted.calls).hasSize(4);
    // One call a second, a burst of one: the first is free, each of the three fallbacks waits a second.
    assertThat(Duration.ofNanos(waited.get())).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void aThrottledShapeIsAskedAgainAfterItsOwnTokenAndTheSameClientToken() {
    scripted.refuse("RequestLimitExceeded");
    scripted.refuse("RequestLimitExceeded");

    Outcome outcome = handle("m-1", 1, TWO_TYPES);

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(scripted.calls).extracting(Call::instanceType).containsExactly("c7i.large", "c7i.large", "c7i.large");
    assertThat(scripted.requests).extracting(RunInstancesRequest::clientToken).containsOnly(
        scripted.requests.get(0).clientToken());
    // One call a second, a burst of one: each repeat waits for its own token (the throttle emptied the bucket).
    assertThat(Duration.ofNanos(waited.get())).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aShapeThrottledAtEveryRepeatGoesBackToTheQueueAsThrottled() {
    for (int i = 0; i <= LaunchHandler.THROTTLED_REPEATS; i++) {
      scripted.refuse("RequestLimitExceeded");
    }

    Outcome outcome = handle("m-1", 1, TWO_TYPES);

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(outcome.reason()).isEqualTo("throttled");
    assertThat(scripted.calls).hasSize(LaunchHandler.THROTTLED_REPEATS + 1)
        .extracting(Call::instanceType).containsOnly("c7i.large");
  }

  @Test
  void aStopWhileWaitingForTheNextShapesBudgetReleasesTheMessage() {
    scripted.refuse("InsufficientInstanceCapacity");
    AtomicBoolean stopping = new AtomicBoolean();
    scripted.afterEachCall = () -> stopping.set(true);

    Outcome outcome = handler.handle(message("m-1", 1, TWO_TYPES), stopping::get).outcome();

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.RELEASED);
    assertThat(scripted.calls).hasSize(1);
    assertThat(cap.usedInLastHour()).isZero();
  }

  @Test
  void aLostAnswerOnShapeTwoFollowedByARedeliveryLaunchesOnceOnAnEc2ThatIgnoresClientTokens() {
    scripted.refuse("InsufficientInstanceCapacity");
    scripted.loseAnswer(true);

    Outcome first = handle("m-1", 1, TWO_TYPES);
    Outcome redelivered = handle("m-1", 2, TWO_TYPES);

    assertThat(first.kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(redelivered.kind()).isEqualTo(OutcomeKind.ALREADY_LAUNCHED);
    // FakeEc2 launches on every call whatever its token: only the look-up before any shape kept it to one.
    assertThat(scripted.calls).hasSize(2);
    assertThat(ec2.findByToken("m-1", Ec2Port.TokenFilter.TAG)).hasSize(1);
  }

  @Test
  void aLostAnswerWhoseLaunchTheLookUpCannotSeeYetIsRetriedOnItsOwnShapeFirst() {
    Scripted honouring = new Scripted(true);
    handler = handler(honouring);
    honouring.refuse("InsufficientInstanceCapacity");
    honouring.loseAnswer(true);

    handle("m-1", 1, TWO_TYPES);
    honouring.lookUpsSeeNothing = true;
    Outcome redelivered = handle("m-1", 2, TWO_TYPES);

    // Shape 1 has capacity again, but shape 2 (whose answer was lost) is asked first, under its own token: EC2
    // answers with the reservation it already made.
    assertThat(honouring.calls).extracting(Call::instanceType).containsExactly("c7i.large", "m7i.large", "m7i.large");
    assertThat(redelivered.kind()).isEqualTo(OutcomeKind.LAUNCHED);
    assertThat(honouring.launched).isEqualTo(1);
  }

  @Test
  void aRootVolumeGoesOnTheImagesRootDeviceLookedUpOncePerImage() {
    String body = "{\"imageId\":\"ami-0123456789abcdef0\",\"rootVolume\":{\"sizeGiB\":50}}";

    handle("m-1", 1, body);
    handle("m-2", 1, body);
    handle("m-3", 1, "{\"imageId\":\"ami-0123456789abcdef0\",\"rootVolume\":{\"deviceName\":\"/dev/xvda\"}}");
    handle("m-4", 1, "{\"imageId\":\"ami-0123456789abcdef0\",\"rootVolume\":{\"deviceName\":\"xvda\"}}");

    assertThat(ec2.imagesAsked).containsExactly("ami-0123456789abcdef0");
    // Named or not, with /dev/ or without, the mapping goes on the image's own spelling of its root device.
    assertThat(scripted.requests).extracting(r -> r.blockDeviceMappings().get(0).deviceName())
        .containsExactly("/dev/xvda", "/dev/xvda", "/dev/xvda", "/dev/xvda");
    assertThat(scripted.requests.get(0).blockDeviceMappings().get(0).ebs().volumeSize()).isEqualTo(50);
    assertThat(scripted.requests.get(0).blockDeviceMappings().get(0).ebs().encrypted()).isTrue();
  }

  /** Issue 19: /dev/sdf on an image whose root is /dev/xvda added a second 50 GiB volume and left the root alone. */
  @Test
  void aDeviceNameThatIsNotTheImagesRootIsRejectedAndNothingLaunches() {
    Outcome outcome = handle("m-1", 1, "{\"imageId\":\"ami-0123456789abcdef0\",\"rootVolume\":"
        + "{\"sizeGiB\":50,\"deviceName\":\"/dev/sdf\"}}");

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.REJECTED);
    assertThat(outcome.reason()).isEqualTo("root_device_mismatch");
    assertThat(outcome.detail()).isEqualTo("rootVolume.deviceName: got \"/dev/sdf\", but image "
        + "ami-0123456789abcdef0 has its root on \"/dev/xvda\": a mapping on another device would add a second "
        + "volume and leave the root as the image has it; allowed: \"/dev/xvda\", or leave deviceName out");
    assertThat(scripted.calls).isEmpty();
  }

  @Test
  void aRootDeviceLookUpThatFailsIsRetriedNeverRejected() {
    handler = handler(new ForwardingEc2Port(scripted) {
      @Override
      public String rootDeviceName(String imageId) {
        throw ec2Error("InternalError");
      }
    });

    Outcome outcome = handle("m-1", 1, "{\"imageId\":\"ami-0123456789abcdef0\",\"rootVolume\":"
        + "{\"deviceName\":\"/dev/sdf\"}}");

    assertThat(outcome.kind()).isEqualTo(OutcomeKind.RETRY);
    assertThat(outcome.reason()).isEqualTo("lookup_failed");
    assertThat(scripted.calls).isEmpty();
  }

  @Test
  void aLaunchTemplateKeepsTheDeviceItNamesWithoutALookUp() {
    handle("m-1", 1, "{\"launchTemplate\":{\"name\":\"web\"},\"rootVolume\":{\"deviceName\":\"/dev/sda1\"}}");

    assertThat(ec2.imagesAsked).isEmpty();
    assertThat(scripted.requests).singleElement()
        .satisfies(r -> assertThat(r.blockDeviceMappings().get(0).deviceName()).isEqualTo("/dev/sda1"));
  }

  private Outcome handle(String messageId, int receiveCount, String body) {
    return handler.handle(message(messageId, receiveCount, body), () -> false).outcome();
  }

  private InFlightMessage message(String messageId, int receiveCount, String body) {
    return new InFlightMessage(messageId, "receipt-" + receiveCount, body, receiveCount, SENT, clock.instant(),
        clock.instant().plusSeconds(60), Map.of(), Optional.empty());
  }

  record Call(String clientToken, String tagToken, String market, String instanceType, String subnetId,
      String spotMaxPrice) {
    static Call of(RunInstancesRequest request) {
      boolean spot = request.instanceMarketOptions() != null
          && request.instanceMarketOptions().marketType() == MarketType.SPOT;
      return new Call(request.clientToken(), request.tagSpecifications().get(0).tags().stream()
          .filter(t -> t.key().equals(LaunchTags.TOKEN)).findFirst().orElseThrow().value(),
          spot ? "spot" : "on-demand", request.instanceTypeAsString(), request.subnetId(),
          spot ? request.instanceMarketOptions().spotOptions().maxPrice() : null);
    }

    String describe() {
      return market + " " + instanceType + " " + subnetId;
    }
  }

  private static Ec2Exception ec2Error(String code) {
    int status = code.equals("InsufficientInstanceCapacity") || code.startsWith("Internal") || code.equals(
        "Unavailable") ? 500 : code.equals("RequestLimitExceeded") ? 503 : 400;
    return (Ec2Exception) Ec2Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("injected").build()).build();
  }

  /**
   * FakeEc2, answering the queued script first. It launches on every call whatever its ClientToken, unless told to
   * keep ClientToken promises (then a token that launched answers with its reservation); its look-ups can be told
   * to lag behind its launches.
   */
  private final class Scripted extends ForwardingEc2Port {
    final List<Call> calls = new ArrayList<>();
    final List<RunInstancesRequest> requests = new ArrayList<>();
    private final Deque<Object> script = new ArrayDeque<>();
    private final Map<String, Reservation> byClientToken = new HashMap<>();
    private final boolean honoursClientTokens;
    Runnable afterEachCall = () -> {};
    boolean lookUpsSeeNothing;
    int launched;

    Scripted() {
      this(false);
    }

    Scripted(boolean honoursClientTokens) {
      super(ec2);
      this.honoursClientTokens = honoursClientTokens;
    }

    void refuse(String code) {
      script.add(code);
    }

    /** The next call fails without an answer; {@code launched}: after EC2 launched. */
    void loseAnswer(boolean launched) {
      script.add(launched);
    }

    @Override
    public Reservation runInstances(RunInstancesRequest request) {
      calls.add(Call.of(request));
      requests.add(request);
      try {
        Reservation earlier = honoursClientTokens ? byClientToken.get(request.clientToken()) : null;
        if (earlier != null) {
          return earlier;
        }
        Object next = script.poll();
        if (next instanceof String code) {
          throw ec2Error(code);
        }
        if (Boolean.FALSE.equals(next)) {
          throw SdkClientException.create("connection reset");
        }
        Reservation reservation = ec2.runInstances(request);
        launched++;
        byClientToken.put(request.clientToken(), reservation);
        if (Boolean.TRUE.equals(next)) {
          throw SdkClientException.create("connection reset");
        }
        return reservation;
      } finally {
        afterEachCall.run();
      }
    }

    @Override
    public List<FoundInstance> findByToken(String token, TokenFilter filter) {
      return lookUpsSeeNothing ? List.of() : ec2.findByToken(token, filter);
    }

    @Override
    public List<FoundInstance> findByClientTokens(List<String> tokens) {
      return lookUpsSeeNothing ? List.of() : ec2.findByClientTokens(tokens);
    }
  }
}
