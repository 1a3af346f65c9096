package io.launchworker.launch;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.LaunchRequest;
import io.launchworker.request.ReadResult;
import io.launchworker.request.RequestHash;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import io.launchworker.settle.Ec2ErrorClassifier;
import io.launchworker.settle.ErrorClass;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.MessageAttributes;
import io.launchworker.settle.TokenSignature;
import io.launchworker.message.Outcome;
import io.launchworker.settle.RetryBackoff;
import java.time.Clock;
import java.time.Duration;
import io.launchworker.message.Placement;
import io.launchworker.message.ShapeRefusal;
import io.launchworker.request.LaunchShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Decides one message's launch: read and check the request, take its token, look up earlier launches when
 * this may be a repeat, call RunInstances, and resolve idempotency answers. Returns the outcome; settling it on
 * the queue is the caller's job. Stateless apart from its collaborators; called concurrently by handler threads.
 */
public final class LaunchHandler {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LaunchHandler.class);
  private final RequestReader reader;
  private final RunInstancesMapper mapper;
  private final Ec2Port ec2;
  private final Ec2ErrorClassifier classifier;
  private final RetryBackoff backoff;
  private final Ec2Budget budget;
  private final HourlyInstanceCap cap;
  private final Duration maxRequestAge;
  private final Clock clock;
  private final int maxAttempts;
  private final AccountFaultPause accountPause;
  private final TokenSignature signatures;
  private final WorkerMetrics metrics;
  private final ShapeHints hints = new ShapeHints();
  private final RootDevices rootDevices;

  /**
   * @param maxRequestAge requests older than this (by SentTimestamp) expire unlaunched; zero turns it off
   * @param maxAttempts the receive count at which a failing message is dead-lettered (see {@code Settler})
   */
  public LaunchHandler(RequestReader reader, RunInstancesMapper mapper, Ec2Port ec2, Ec2ErrorClassifier classifier,
      RetryBackoff backoff, Ec2Budget budget, HourlyInstanceCap cap, Duration maxRequestAge, Clock clock,
      int maxAttempts, AccountFaultPause accountPause, TokenSignature signatures, WorkerMetrics metrics) {
    this.reader = reader;
    this.mapper = mapper;
    this.ec2 = ec2;
    this.classifier = classifier;
    this.backoff = backoff;
    this.budget = budget;
    this.cap = cap;
    this.maxRequestAge = maxRequestAge;
    this.clock = clock;
    this.maxAttempts = maxAttempts;
    this.accountPause = accountPause;
    this.signatures = signatures;
    this.metrics = metrics;
    this.rootDevices = new RootDevices(ec2, budget);
  }

  /** The token a message settles under, and what became of it. */
  public record Result(Token token, Optional<String> requestId, Outcome outcome) {}

  /**
   * Handles one message. {@code stopping} is checked before anything is sent to EC2, including while waiting
   * for the rate budget: a worker that is shutting down releases the message instead of starting its launch.
   */
  public Result handle(InFlightMessage message, BooleanSupplier stopping) {
    ReadResult read = reader.read(message.body());
    // A body that is not a valid request has no clientToken to trust: its message ID or attribute token is what an
    // earlier launch of it carries. A valid request refused by today's policy keeps its own token.
    Optional<LaunchRequest> valid = read instanceof ReadResult.Accepted accepted ? Optional.of(accepted.request())
        : ((ReadResult.Rejected) read).request();
    Optional<String> bodyToken = valid.flatMap(LaunchRequest::clientToken);
    Optional<String> requestId = valid.flatMap(LaunchRequest::requestId);
    Optional<Result> forged = unsignedTokenAttribute(message, bodyToken, requestId);
    if (forged.isPresent()) {
      return forged.get();
    }
    Token token = Token.resolve(bodyToken, message.attributes(), message.messageId());
    if (read instanceof ReadResult.Rejected rejected) {
      return new Result(token, requestId,
          rejectUnlessLaunched(message, token, valid.map(RequestHash::of), rejected, stopping));
    }
    return new Result(token, requestId, launch(message, valid.get(), token, stopping));
  }

  /**
   * With a key configured, the token attribute counts only with the worker's signature: a producer who set it
   * (to a token read off the status page, say) would otherwise be told another request's instances. Refused, never
   * launched under another token: a legitimate redrive after a key change must not launch twice either. The DLQ
   * copy keeps the attribute unsigned, so redriving it again is refused again.
   */
  private Optional<Result> unsignedTokenAttribute(InFlightMessage message, Optional<String> bodyToken,
      Optional<String> requestId) {
    String attribute = message.attributes().get(MessageAttributes.TOKEN);
    if (!signatures.enabled() || bodyToken.isPresent() || attribute == null) {
      return Optional.empty();
    }
    Optional<String> signature = Optional.ofNullable(message.attributes().get(MessageAttributes.TOKEN_SIGNATURE));
    if (signatures.verifies(attribute, message.body(), signature)) {
      return Optional.empty();
    }
    metrics.tokenSignatureInvalid();
    log.warn("message {} carries a {} attribute that is {}; only the worker writes it: rejected as "
        + "token_signature_invalid", message.messageId(), MessageAttributes.TOKEN,
        signature.isEmpty() ? "unsigned" : "not signed by this worker's key");
    Token kept = Token.isValidToken(attribute) ? new Token(attribute, Token.Source.ATTRIBUTE)
        : new Token(Token.fromMessageId(message.messageId()), Token.Source.MESSAGE_ID);
    return Optional.of(new Result(kept, requestId, Outcome.tokenSignatureInvalid("the "
        + MessageAttributes.TOKEN + " attribute is " + (signature.isEmpty() ? "unsigned" : "signed with another key")
        + "; only the worker writes it (when it dead-letters), so the message was not launched. Redrive the "
        + "worker's own DLQ copy, or send the request again without the attribute")));
  }

  /**
   * Today's rules refuse the message. If it may be a repeat, an earlier attempt may have launched it under other
   * rules (a redeploy tightened the policy or the validator while the launched message waited for its delete):
   * what EC2 holds for its token is ALREADY_LAUNCHED, whatever today's rules say; a rejection on top of it would
   * tell the producer to launch a second fleet.
   */
  private Outcome rejectUnlessLaunched(InFlightMessage message, Token token, Optional<String> hash,
      ReadResult.Rejected rejected, BooleanSupplier stopping) {
    Outcome rejection = Outcome.rejected(rejected.rejection().reason(), rejected.rejection().message(),
        Optional.empty());
    if (!mayBeRepeat(message, token)) {
      return rejection;
    }
    String trigger = lookupTrigger(message, token);
    if (!budget.describe().acquire(stopping)) {
      return Outcome.released();
    }
    try {
      List<Ec2Port.FoundInstance> found = ec2.findByToken(token.value(), Ec2Port.TokenFilter.TAG);
      if (hash.isPresent()) {
        return resolveFound(found, hash.get(), "found_by_" + trigger, trigger).orElse(rejection);
      }
      if (found.isEmpty()) {
        metrics.lookup(trigger, "not_found");
        return rejection;
      }
      // No request to hash: the token is this message's own ID or the worker's attribute, so what carries it
      // was launched from this message.
      metrics.lookup(trigger, "found");
      return alreadyLaunched("found_by_" + trigger, found);
    } catch (RuntimeException e) {
      return retryAfter(e, message);
    }
  }

  private Outcome launch(InFlightMessage message, LaunchRequest request, Token token, BooleanSupplier stopping) {
    String hash = RequestHash.of(request);
    if (stopping.getAsBoolean()) {
      return Outcome.released();
    }
    if (mayBeRepeat(message, token)) {
      String trigger = lookupTrigger(message, token);
      if (!budget.describe().acquire(stopping)) {
        return Outcome.released();
      }
      try {
        Optional<Outcome> earlier = resolveFound(ec2.findByToken(token.value(), Ec2Port.TokenFilter.TAG), hash,
            "found_by_" + trigger, trigger);
        if (earlier.isPresent()) {
          return earlier.get();
        }
      } catch (RuntimeException e) {
        return retryAfter(e, message);
      }
    }
    // Before the cap: max-request-age wins. The cap only delays; a request it deferred past that age expires.
    Duration age = Duration.between(message.sentAt(), clock.instant());
    if (!maxRequestAge.isZero() && age.compareTo(maxRequestAge) > 0) {
      return Outcome.expired(age, maxRequestAge);
    }
    Optional<String> rootDevice;
    try {
      rootDevice = rootDevices.resolve(request, stopping);
    } catch (RuntimeException e) {
      ErrorClass error = classifier.classify(e);
      return error.action() == ErrorClass.Action.REJECT ? rejectedByEc2(error, e) : retryAfter(e, message);
    }
    if (RootDevices.needsLookUp(request) && rootDevice.isEmpty()) {
      return Outcome.released();
    }
    HourlyInstanceCap.Reservation reserved = cap.tryReserve(token.value(), request.maxCount());
    if (reserved == null) {
      return cap.deferral(request.maxCount());
    }
    return walkShapes(message, request, token, hash, rootDevice, reserved, stopping);
  }

  /**
   * Tries the request's shapes in order (the one that last failed unclearly first) until one launches, one fails
   * other than by a refusal proving it launched nothing, or all are refused. Each attempt waits for its own
   * RunInstances budget token and checks the account pause first.
   */
  private Outcome walkShapes(InFlightMessage message, LaunchRequest request, Token token, String hash,
      Optional<String> rootDevice, HourlyInstanceCap.Reservation reserved, BooleanSupplier stopping) {
    List<LaunchShape> shapes = hints.order(token.value(), mapper.shapes(request));
    List<ShapeRefusal> refusals = new ArrayList<>();
    for (LaunchShape shape : shapes) {
      if (!budget.runInstances().acquire(stopping)) {
        reserved.release();
        return Outcome.released().withRefusals(refusals);
      }
      if (!accountPause.mayLaunch()) {
        reserved.release();
        return accountPaused(Optional.empty()).withRefusals(refusals);
      }
      String clientToken = token.forShape(shape.position());
      RunInstancesRequest call = mapper.map(request, new RunInstancesMapper.Target(shape, clientToken, rootDevice),
          token.value(), message.messageId(), hash);
      try {
        Ec2Port.Reservation reservation = ec2.runInstances(call);
        accountPause.launched();
        reserved.launched(reservation.instances());
        hints.settled(token.value());
        metrics.instancesLaunched(reservation.instances().size());
        metrics.shapeLaunched(shape.market().wire(), tag(shape.instanceType()), tag(shape.subnetId()),
            !refusals.isEmpty());
        return Outcome.launched(reservation.reservationId(), reservation.instances())
            .withPlacement(Optional.of(reservation.placement().orElseGet(() -> placementOf(shape))))
            .withRefusals(refusals);
      } catch (RuntimeException e) {
        ErrorClass error = classifier.classify(e);
        if (LaunchShape.FALLBACK_CODES.contains(error.code())) {
          // EC2's answer proves this shape launched nothing: the next one may. The outcome's log line lists them.
          refusals.add(new ShapeRefusal(shape, error.code()));
          metrics.shapeRefused(error.code(), shape.market().wire(), tag(shape.instanceType()),
              tag(shape.subnetId()));
          log.debug("message {}: {} refused ({}: {})", message.messageId(), shape.describe(), error.code(),
              errorMessage(e));
          continue;
        }
        // An unclear failure may have launched: it keeps its room in the cap until a count shows its token, and
        // the message comes back (after a look-up) to this same shape first, never straight to another.
        if (error.mayHaveLaunched()) {
          reserved.answerLost();
          hints.unclear(token.value(), shape.position());
        } else {
          reserved.release();
        }
        return failed(message, token, clientToken, hash, error, e).withRefusals(refusals);
      }
    }
    reserved.release();
    return exhausted(message, refusals);
  }

  /** What a RunInstances failure other than a shape refusal means for the message. */
  private Outcome failed(InFlightMessage message, Token token, String clientToken, String hash, ErrorClass error,
      RuntimeException e) {
    return switch (error.action()) {
      case PARAMETER_MISMATCH -> resolveMismatch(message, token, clientToken, hash);
      case ALREADY_DONE -> Outcome.alreadyLaunched(error.reason(), Optional.empty(), List.of());
      case REJECT -> rejectedByEc2(error, e);
      case ACCOUNT_FAULT -> accountFault(message, error, e);
      case NOT_VISIBLE_YET -> message.receiveCount() < NOT_VISIBLE_ATTEMPTS
          ? Outcome.retry(error.reason(), error.code() + ": " + errorMessage(e), Optional.of(error.code()),
              backoff.delay(ErrorClass.Action.RETRY, message.receiveCount()))
          : rejectedByEc2(error, e);
      case RETRY, RETRY_CAPACITY, RETRY_QUOTA ->
          lastAttemptCheck(message, token, clientToken, hash, error).orElseGet(() ->
              Outcome.retry(error.reason(), error.code() + ": " + errorMessage(e), Optional.of(error.code()),
                  backoff.delay(error.action(), message.receiveCount())));
    };
  }

  /** Refusals listed in an outcome's detail; the rest are counted. The outcome itself carries them all. */
  private static final int REFUSALS_DESCRIBED = 10;

  /**
   * Every shape refused, each with an answer proving it launched nothing: the message comes back later and starts
   * again from the first shape. Refused alike, the outcome is what that answer means alone (a request whose every
   * shape is {@code Unsupported} is rejected, as one of one shape always was); refused for different reasons, it
   * waits the capacity back-off.
   */
  private Outcome exhausted(InFlightMessage message, List<ShapeRefusal> refusals) {
    List<String> codes = refusals.stream().map(ShapeRefusal::errorCode).distinct().toList();
    String detail = (refusals.size() == 1 ? "" : "every shape refused: ") + refusals.stream()
        .limit(REFUSALS_DESCRIBED).map(ShapeRefusal::describe).collect(Collectors.joining("; "))
        + (refusals.size() > REFUSALS_DESCRIBED ? "; and " + (refusals.size() - REFUSALS_DESCRIBED) + " more" : "");
    String lastCode = refusals.get(refusals.size() - 1).errorCode();
    ErrorClass error = codes.size() == 1 ? classifier.classifyCode(lastCode, 400)
        : new ErrorClass(ErrorClass.Action.RETRY_CAPACITY, lastCode, "insufficient_capacity");
    Outcome outcome = error.action() == ErrorClass.Action.REJECT
        ? Outcome.rejected(error.reason(), "EC2 rejected the launch: " + detail, Optional.of(lastCode))
        : Outcome.retry(error.reason(), detail, Optional.of(lastCode),
            backoff.delay(error.action(), message.receiveCount()));
    return outcome.withRefusals(refusals);
  }

  private static Placement placementOf(LaunchShape shape) {
    return new Placement(shape.market(), shape.instanceType(), shape.subnetId(), Optional.empty());
  }

  /** A metric tag for a value EC2 may not have been given. */
  private static String tag(Optional<String> value) {
    return value.orElse("default");
  }

  /**
   * Attempts a request naming a resource EC2 cannot see gets before it is rejected: IAM instance profiles, security
   * groups and subnets created moments ago become visible within seconds, and with the base back-off three
   * attempts span them; a flood of requests naming one that does not exist costs three RunInstances calls each,
   * not max-attempts.
   */
  static final int NOT_VISIBLE_ATTEMPTS = 3;

  private static Outcome rejectedByEc2(ErrorClass error, RuntimeException e) {
    String code = error.code();
    return Outcome.rejected(error.action() == ErrorClass.Action.REJECT ? error.reason() : "ec2:" + code,
        "EC2 rejected the launch: " + code + ": " + errorMessage(e), Optional.of(code));
  }

  /**
   * The account is refused, not the request: pause launching and hand the message back without counting the
   * attempt. A request refused at its attempt limit while other launches succeed since it was sent is refused
   * for itself (an IAM condition on its image or type, say) and is rejected instead, so it cannot loop forever.
   */
  private Outcome accountFault(InFlightMessage message, ErrorClass error, RuntimeException e) {
    if (message.receiveCount() >= maxAttempts && accountPause.launchedSince(message.sentAt())) {
      return rejectedByEc2(error, e);
    }
    metrics.accountFault(error.code());
    accountPause.faulted(error.code(), errorMessage(e));
    return accountPaused(Optional.of(error.code()));
  }

  private Outcome accountPaused(Optional<String> code) {
    Duration wait = accountPause.untilProbe();
    return Outcome.accountFault(code, accountPause.current().map(f -> f.code() + ": " + f.message())
        .orElse("account fault"), wait.isZero() ? Duration.ofSeconds(1) : wait);
  }

  /**
   * On the last allowed attempt, a failure that leaves open whether EC2 launched is looked up before the
   * message is dead-lettered, so a request that did launch is never reported as rejected.
   */
  private Optional<Outcome> lastAttemptCheck(InFlightMessage message, Token token, String clientToken, String hash,
      ErrorClass error) {
    if (message.receiveCount() < maxAttempts || !error.mayHaveLaunched()) {
      return Optional.empty();
    }
    try {
      return resolveFound(findByEitherFilter(token, clientToken), hash, "found_at_last_attempt", "last_attempt");
    } catch (RuntimeException lookupFailed) {
      return Optional.empty();
    }
  }

  /**
   * A later receive, a message redriven from the DLQ, or a producer's retry under its own clientToken may
   * already have launched. RunInstances would answer with the first reservation on AWS (or, as the worker's
   * message-ID tag differs between two messages, with IdempotentParameterMismatch), but emulators that ignore
   * ClientToken would launch again. Look-ups are cheap next to launches: EC2 allows ten Describe calls for each
   * RunInstances.
   */
  private static boolean mayBeRepeat(InFlightMessage message, Token token) {
    return message.receiveCount() > 1 || token.source() != Token.Source.MESSAGE_ID;
  }

  /** Metric tag and outcome reason suffix: why a look-up was made. */
  private static String lookupTrigger(InFlightMessage message, Token token) {
    if (message.receiveCount() > 1) {
      return "redelivery";
    }
    return token.source() == Token.Source.ATTRIBUTE ? "redrive" : "client_token";
  }

  /** The token was used with other parameters: same request hash means drift (done), another means conflict. */
  private Outcome resolveMismatch(InFlightMessage message, Token token, String clientToken, String hash) {
    try {
      List<Ec2Port.FoundInstance> found = findByEitherFilter(token, clientToken);
      // Nothing found yet: DescribeInstances is eventually consistent, and a concurrent attempt may have
      // launched a moment ago. Try again later; max-attempts bounds it.
      return resolveFound(found, hash, "parameter_drift", "mismatch").orElseGet(() -> Outcome.retry(
          "token_unresolved", "EC2 reports IdempotentParameterMismatch for token " + token.value()
              + " but no instance carries it yet", Optional.of("IdempotentParameterMismatch"),
          backoff.delay(ErrorClass.Action.RETRY, message.receiveCount())));
    } catch (RuntimeException e) {
      return retryAfter(e, message);
    }
  }

  /**
   * EC2's own record of the shape's ClientToken first, then the request's token tag (any shape). Each call waits
   * for the Describe budget but never gives up for a stop: the launch it resolves has already happened.
   */
  private List<Ec2Port.FoundInstance> findByEitherFilter(Token token, String clientToken) {
    budget.describe().acquire(() -> false);
    List<Ec2Port.FoundInstance> found = ec2.findByToken(clientToken, Ec2Port.TokenFilter.CLIENT_TOKEN);
    if (!found.isEmpty()) {
      return found;
    }
    budget.describe().acquire(() -> false);
    return ec2.findByToken(token.value(), Ec2Port.TokenFilter.TAG);
  }

  private Optional<Outcome> resolveFound(List<Ec2Port.FoundInstance> found, String hash, String how,
      String trigger) {
    if (found.isEmpty()) {
      metrics.lookup(trigger, "not_found");
      return Optional.empty();
    }
    boolean sameRequest = found.stream().allMatch(i -> i.requestHash().filter(hash::equals).isPresent());
    if (!sameRequest) {
      metrics.lookup(trigger, "conflict");
      // Never name the other request's instances: they are not this message's to know.
      return Optional.of(Outcome.rejected("token_conflict", "client token already used by a different request "
          + "(its instances carry another request hash); choose another clientToken", Optional.empty()));
    }
    metrics.lookup(trigger, "found");
    return Optional.of(alreadyLaunched(how, found));
  }

  private static Outcome alreadyLaunched(String how, List<Ec2Port.FoundInstance> found) {
    return Outcome.alreadyLaunched(how, Optional.of(found.get(0).reservationId()),
        found.stream().map(i -> new Outcome.InstanceRef(i.instanceId(), i.state())).toList())
        .withPlacement(found.get(0).placement());
  }

  private Outcome retryAfter(RuntimeException e, InFlightMessage message) {
    ErrorClass error = classifier.classify(e);
    ErrorClass.Action action = error.action().isRetry() ? error.action() : ErrorClass.Action.RETRY;
    return Outcome.retry("lookup_failed", "looking up earlier launches failed: " + error.code() + ": "
        + errorMessage(e), Optional.of(error.code()), backoff.delay(action, message.receiveCount()));
  }

  private static String errorMessage(RuntimeException e) {
    if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException s && s.awsErrorDetails() != null
        && s.awsErrorDetails().errorMessage() != null) {
      return s.awsErrorDetails().errorMessage();
    }
    return String.valueOf(e.getMessage());
  }
}
