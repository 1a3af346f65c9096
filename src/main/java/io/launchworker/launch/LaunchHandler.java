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
import java.util.OptionalInt;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Decides one message's launch: read and check the request, take its token, look up earlier launches when this may
 * be a repeat, call RunInstances, and resolve idempotency answers. Returns the outcome; settling it on the queue is
 * the caller's job. Called concurrently by handler threads; per-message state lives in each call's {@link Doubt}.
 *
 * <p>Nothing irreversible rests on one look-up: a message that may be a repeat is tried on a shape other than the one
 * last tried, rejected, expired or dead-lettered only once an empty look-up was made a consistency window after the
 * last call that may have launched with its token (see {@link ConsistencyWindow}). Re-sending the shape last tried,
 * under its own ClientToken, needs no wait: EC2 answers it with the earlier reservation if there was one.
 */
public final class LaunchHandler {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LaunchHandler.class);
  /**
   * How many times one handling asks again for a shape EC2 throttled, each after its own token from the rate gate
   * (the SDK does not repeat RunInstances: its repeats would go beside the gate). Then the message is retried later.
   */
  public static final int THROTTLED_REPEATS = 2;
  private final RequestReader reader;
  private final RunInstancesMapper mapper;
  private final Ec2Port ec2;
  private final Ec2ErrorClassifier classifier;
  private final RetryBackoff backoff;
  private final Ec2Budget budget;
  private final HourlyInstanceCap cap;
  private final Duration maxRequestAge;
  private final int maxAttempts;
  private final OptionalInt maxReceiveCount;
  private final AccountFaultPause accountPause;
  private final TokenSignature signatures;
  private final WorkerMetrics metrics;
  private final ConsistencyWindow window;
  private final KnownGoodLaunch knownGood;
  private final AccountFaults accountFaults;
  private final DoubtMemory memory = new DoubtMemory();
  private final DoubtResolver doubts;
  private final EarlierLaunches earlier;
  private final RootDevices rootDevices;
  /** Whether a clientToken without a SenderId was logged: once per process is enough to name the queue's fault. */
  private final AtomicBoolean warnedWithoutSender = new AtomicBoolean();

  /**
   * A handler without a consistency window (an empty look-up is trusted at once), whose DryRun checks know only this
   * process's launches, and without a queue redrive limit. For tests of everything else.
   */
  public LaunchHandler(RequestReader reader, RunInstancesMapper mapper, Ec2Port ec2, Ec2ErrorClassifier classifier,
      RetryBackoff backoff, Ec2Budget budget, HourlyInstanceCap cap, Duration maxRequestAge, Clock clock,
      int maxAttempts, AccountFaultPause accountPause, TokenSignature signatures, WorkerMetrics metrics) {
    this(reader, mapper, ec2, classifier, backoff, budget, cap, maxRequestAge, maxAttempts, accountPause, signatures,
        metrics, new Doubting(ConsistencyWindow.none(clock), new KnownGoodLaunch(Optional::empty),
            OptionalInt.empty()));
  }

  /**
   * What decides doubt: the consistency window, the launches known to be allowed (for DryRun checks), and the
   * source queue's {@code maxReceiveCount}, if it has a redrive policy.
   */
  public record Doubting(ConsistencyWindow window, KnownGoodLaunch knownGood, OptionalInt maxReceiveCount) {}

  /**
   * @param maxRequestAge requests older than this (by SentTimestamp) expire unlaunched; zero turns it off
   * @param maxAttempts the receive count at which a failing message is dead-lettered (see {@code Settler})
   */
  public LaunchHandler(RequestReader reader, RunInstancesMapper mapper, Ec2Port ec2, Ec2ErrorClassifier classifier,
      RetryBackoff backoff, Ec2Budget budget, HourlyInstanceCap cap, Duration maxRequestAge, int maxAttempts,
      AccountFaultPause accountPause, TokenSignature signatures, WorkerMetrics metrics, Doubting doubting) {
    this.reader = reader;
    this.mapper = mapper;
    this.ec2 = ec2;
    this.classifier = classifier;
    this.backoff = backoff;
    this.budget = budget;
    this.cap = cap;
    this.maxRequestAge = maxRequestAge;
    this.maxAttempts = maxAttempts;
    this.maxReceiveCount = doubting.maxReceiveCount();
    this.accountPause = accountPause;
    this.signatures = signatures;
    this.metrics = metrics;
    this.window = doubting.window();
    this.knownGood = doubting.knownGood();
    this.accountFaults = new AccountFaults(accountPause, knownGood, ec2, budget, metrics);
    this.earlier = new EarlierLaunches(ec2, budget, metrics);
    this.doubts = new DoubtResolver(window, earlier, memory, metrics, this::lookupFailed);
    this.rootDevices = new RootDevices(ec2, budget);
  }

  /** The token a message settles under, and what became of it. */
  public record Result(Token token, Optional<String> requestId, Outcome outcome) {}

  /** Handlers waiting in place for the consistency window now (a gauge). */
  public int waitingForConsistency() {
    return doubts.waiting();
  }

  /**
   * Handles one message. {@code stopping} is checked before anything is sent to EC2, including while waiting
   * for the rate budget or the consistency window: a worker that is shutting down releases the message instead of
   * starting its launch.
   */
  public Result handle(InFlightMessage message, BooleanSupplier stopping) {
    ReadResult read = reader.read(message.body());
    // A body that is not a valid request has no clientToken to trust: its message ID or attribute token is what an
    // earlier launch of it carries. A valid request refused by today's policy keeps its own token.
    Optional<LaunchRequest> valid = requestOf(read);
    Optional<String> bodyToken = valid.flatMap(LaunchRequest::clientToken);
    Optional<String> requestId = valid.flatMap(LaunchRequest::requestId);
    Optional<Result> forged = unsignedTokenAttribute(message, requestId);
    if (forged.isPresent()) {
      return forged.get();
    }
    Token token = Token.resolve(bodyToken, message.senderId(), message.attributes(), message.messageId());
    if (token.source() == Token.Source.BODY && message.senderId().isEmpty()
        && warnedWithoutSender.compareAndSet(false, true)) {
      log.warn("message {} has no SenderId (SQS always sets it; this queue does not): clientTokens of messages "
          + "without one share one scope, so their producers are not kept apart", message.messageId());
    }
    // Only a possible repeat is looked up: a first receive under its own ID needs no shape tokens.
    List<String> clientTokens = DoubtResolver.mayBeRepeat(message, token) ? shapeTokens(valid, token) : List.of();
    Look look = new Look(message, token, valid.map(RequestHash::of), clientTokens, unscoped(valid, token),
        doubts.doubtOf(message, token), stopping);
    Outcome outcome = read instanceof ReadResult.Rejected rejected
        ? rejectUnlessLaunched(look, rejected)
        : launch(look, valid.get());
    outcome = beforeDeadLetter(look, outcome);
    if (outcome.isFinal()) {
      memory.settled(message.messageId(), token.value());
    }
    if (token.source() == Token.Source.ATTRIBUTE && !signatures.enabled()) {
      // Unsigned (token-key = none), the attribute may be another request's token, set by anyone who can write to
      // the queue: what its look-up or an idempotent RunInstances returns may be that request's instances.
      outcome = outcome.namingNoInstances();
    }
    return new Result(token, requestId, outcome);
  }

  /**
   * The token a message would be launched under, without handling it: for a message given back unhandled (at
   * shutdown, behind a FIFO group's retry), whose dead letter at the queue's receive limit must carry it.
   */
  public Token tokenOf(InFlightMessage message) {
    ReadResult read = reader.read(message.body());
    Optional<LaunchRequest> valid = requestOf(read);
    return Token.resolve(valid.flatMap(LaunchRequest::clientToken), message.senderId(), message.attributes(),
        message.messageId());
  }

  /**
   * For a token scoped from the body's {@code clientToken}: the token and shape ClientTokens releases before sender
   * scoping launched it under (the {@code clientToken} as it is), so a message or a producer's retry handled across
   * the upgrade finds that launch instead of launching again.
   */
  private Optional<EarlierLaunches.Unscoped> unscoped(Optional<LaunchRequest> request, Token token) {
    if (token.source() != Token.Source.BODY) {
      return Optional.empty();
    }
    Token raw = new Token(request.flatMap(LaunchRequest::clientToken).orElseThrow(), Token.Source.BODY);
    return Optional.of(new EarlierLaunches.Unscoped(raw.value(), shapeTokens(request, raw)));
  }

  /** The request a body holds, also when today's rules refuse it; empty for a body that is not a request. */
  private static Optional<LaunchRequest> requestOf(ReadResult read) {
    return read instanceof ReadResult.Accepted accepted ? Optional.of(accepted.request())
        : ((ReadResult.Rejected) read).request();
  }

  /** Every ClientToken the request's shapes are sent with; the token alone when the body has no valid request. */
  private List<String> shapeTokens(Optional<LaunchRequest> request, Token token) {
    try {
      return request.map(r -> mapper.shapes(r).stream().map(s -> token.forShape(s.position())).toList())
          .orElse(List.of(token.value()));
    } catch (RuntimeException e) {
      return List.of(token.value());
    }
  }

  /**
   * With a key configured, the token attribute counts only with the worker's signature: a producer who set it
   * (to a token read off the status page, say) would otherwise be told another request's instances. Refused, never
   * launched under another token: a legitimate redrive after a key change must not launch twice either. The DLQ
   * copy keeps the attribute unsigned, so redriving it again is refused again. A body with a {@code clientToken} is
   * no exception: the attribute, not the redriver's SenderId, holds the sender its token was scoped by.
   */
  private Optional<Result> unsignedTokenAttribute(InFlightMessage message, Optional<String> requestId) {
    String attribute = message.attributes().get(MessageAttributes.TOKEN);
    if (!signatures.enabled() || attribute == null) {
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
   * tell the producer to launch a second fleet. {@link #beforeDeadLetter} waits out the doubt before it is final.
   */
  private Outcome rejectUnlessLaunched(Look look, ReadResult.Rejected rejected) {
    Outcome rejection = Outcome.rejected(rejected.rejection().reason(), rejected.rejection().message(),
        Optional.empty());
    if (!DoubtResolver.mayBeRepeat(look.message(), look.token())) {
      return rejection;
    }
    return doubts.lookUp(look, DoubtResolver.lookupTrigger(look.message(), look.token())).orElse(rejection);
  }

  private Outcome launch(Look look, LaunchRequest request) {
    InFlightMessage message = look.message();
    if (look.stopping().getAsBoolean()) {
      return Outcome.released();
    }
    if (DoubtResolver.mayBeRepeat(message, look.token())) {
      Optional<Outcome> found = doubts.lookUp(look, DoubtResolver.lookupTrigger(message, look.token()));
      if (found.isPresent()) {
        return found.get();
      }
    }
    // Before the cap: max-request-age wins. The cap only delays; a request it deferred past that age expires.
    Duration age = Duration.between(message.sentAt(), window.now());
    if (!maxRequestAge.isZero() && age.compareTo(maxRequestAge) > 0) {
      return Outcome.expired(age, maxRequestAge);
    }
    Optional<String> rootDevice;
    try {
      rootDevice = rootDevices.resolve(request, look.stopping());
    } catch (RuntimeException e) {
      ErrorClass error = classifier.classify(e);
      if (error.action() == ErrorClass.Action.ACCOUNT_FAULT) {
        return accountFaults.pause(error, errorMessage(e), "DescribeImages", request.imageId());
      }
      return error.action() == ErrorClass.Action.REJECT ? rejectedByEc2(error, e)
          : lookupFailed(e, message, "DescribeImages");
    }
    if (RootDevices.needsLookUp(request) && rootDevice.isEmpty()) {
      return Outcome.released();
    }
    Optional<Outcome> otherDevice = rootDevice.flatMap(root -> RootDevices.otherThanTheRoot(request, root));
    if (otherDevice.isPresent()) {
      return otherDevice.get();
    }
    List<LaunchShape> shapes = firstTheUnclear(mapper.shapes(request), look.doubt().unclearShape());
    if (shapes.size() > 1 && look.doubt().unclearShape().isEmpty()) {
      // No shape is known to be the one last tried: any of them may have launched. Only evidence lets the walk start.
      Optional<Outcome> held = doubts.clear(look, DoubtResolver.lookupTrigger(message, look.token()));
      if (held.isPresent()) {
        return held.get();
      }
    }
    HourlyInstanceCap.Reservation reserved = cap.tryReserve(look.token().value(), request.maxCount());
    if (reserved == null) {
      return cap.deferral(request.maxCount());
    }
    return walkShapes(look, request, shapes, rootDevice, reserved);
  }

  /** The shapes in walk order, with the one a previous receive left unclear first. */
  private static List<LaunchShape> firstTheUnclear(List<LaunchShape> shapes, OptionalInt unclear) {
    if (unclear.isEmpty() || unclear.getAsInt() <= 0 || unclear.getAsInt() >= shapes.size()) {
      return shapes;
    }
    List<LaunchShape> ordered = new ArrayList<>(shapes.size());
    ordered.add(shapes.get(unclear.getAsInt()));
    shapes.stream().filter(s -> s.position() != unclear.getAsInt()).forEach(ordered::add);
    return ordered;
  }

  /**
   * Tries the request's shapes in order (the one that last failed unclearly first) until one launches, one fails
   * other than by a refusal proving it launched nothing, or all are refused. Each attempt waits for its own
   * RunInstances budget token and checks the account pause first; a shape after the first waits for the doubt to
   * clear.
   */
  private Outcome walkShapes(Look look, LaunchRequest request, List<LaunchShape> shapes, Optional<String> rootDevice,
      HourlyInstanceCap.Reservation reserved) {
    InFlightMessage message = look.message();
    Token token = look.token();
    List<ShapeRefusal> refusals = new ArrayList<>();
    int throttled = 0;
    for (int i = 0; i < shapes.size(); i++) {
      LaunchShape shape = shapes.get(i);
      if (!refusals.isEmpty() && !look.doubt().cleared()) {
        Optional<Outcome> held = doubts.clear(look, DoubtResolver.lookupTrigger(message, token));
        if (held.isPresent()) {
          reserved.release();
          return held.get().withRefusals(refusals);
        }
      }
      if (!budget.runInstances().acquire(look.stopping())) {
        reserved.release();
        return Outcome.released().withRefusals(refusals);
      }
      if (!accountPause.mayLaunch()) {
        reserved.release();
        return accountFaults.paused(Optional.empty()).withRefusals(refusals);
      }
      String clientToken = token.forShape(shape.position());
      RunInstancesRequest call = mapper.map(request, new RunInstancesMapper.Target(shape, clientToken, rootDevice),
          token.value(), message.messageId(), look.hash().orElseThrow());
      try {
        Ec2Port.Reservation reservation = ec2.runInstances(call);
        accountPause.launched();
        knownGood.launched(call);
        reserved.launched(reservation.instances());
        metrics.instancesLaunched(reservation.instances().size());
        metrics.shapeLaunched(shape.market().wire(), tag(shape.instanceType()), tag(shape.subnetId()),
            !refusals.isEmpty());
        return Outcome.launched(reservation.reservationId(), reservation.instances())
            .withPlacement(Optional.of(reservation.placement().orElseGet(() -> placementOf(shape))))
            .withRefusals(refusals);
      } catch (RuntimeException e) {
        ErrorClass error = classifier.classify(e);
        if (error.throttled() && throttled < THROTTLED_REPEATS) {
          // EC2 launched nothing and the gate has slowed down: ask again when it gives the next token, as the SDK
          // would have, but paced by the gate rather than beside it.
          throttled++;
          i--;
          continue;
        }
        if (LaunchShape.isFallbackCode(error.code())) {
          // EC2's answer proves this shape launched nothing: the next one may. The outcome's log line lists them.
          refusals.add(new ShapeRefusal(shape, error.code()));
          metrics.shapeRefused(error.code(), shape.market().wire(), tag(shape.instanceType()),
              tag(shape.subnetId()));
          log.debug("message {}: {} refused ({}: {})", message.messageId(), shape.describe(), error.code(),
              errorMessage(e));
          continue;
        }
        // An unclear failure may have launched: it keeps its room in the cap until a count shows its token, and
        // the message comes back (after a look-up, at least a window later) to this same shape first.
        if (error.mayHaveLaunched()) {
          reserved.answerLost();
          look.doubt().mayHaveLaunchedBy(window.now());
          memory.unclear(message.messageId(), token.value(), message.receiveCount(), window.now(), shape.position());
        } else {
          reserved.release();
        }
        return failed(look, clientToken, call, error, e).withRefusals(refusals);
      }
    }
    reserved.release();
    return exhausted(message, refusals);
  }

  /** What a RunInstances failure other than a shape refusal means for the message. */
  private Outcome failed(Look look, String clientToken, RunInstancesRequest call, ErrorClass error,
      RuntimeException e) {
    InFlightMessage message = look.message();
    return switch (error.action()) {
      case PARAMETER_MISMATCH -> resolveMismatch(look, clientToken);
      case ALREADY_DONE -> Outcome.alreadyLaunched(error.reason(), Optional.empty(), List.of());
      case REJECT -> rejectedByEc2(error, e);
      case ACCOUNT_FAULT -> launchAccountFault(look, call, error, e);
      case NOT_VISIBLE_YET -> message.receiveCount() < NOT_VISIBLE_ATTEMPTS
          ? Outcome.retry(error.reason(), error.code() + ": " + errorMessage(e), Optional.of(error.code()),
              backoff.delay(ErrorClass.Action.RETRY, message.receiveCount()))
          : rejectedByEc2(error, e);
      case RETRY, RETRY_CAPACITY, RETRY_QUOTA -> Outcome.retry(error.reason(), error.code() + ": " + errorMessage(e),
          Optional.of(error.code()), atLeastTheWindowIf(error.mayHaveLaunched(),
              backoff.delay(error.action(), message.receiveCount())));
    };
  }

  /**
   * After a call that may have launched, the message stays away at least one window: its next look-up, here or in
   * another process, is then already evidence.
   */
  private Duration atLeastTheWindowIf(boolean mayHaveLaunched, Duration delay) {
    return mayHaveLaunched && delay.compareTo(window.length()) < 0 ? window.length() : delay;
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
   * A launch refused for the account, or for this request alone: a DryRun of a launch EC2 allowed lately tells
   * which. The account's fault pauses launching and hands the message back without counting the attempt. Without a
   * known launch, a request refused at its attempt limit while other launches succeeded since it was sent is refused
   * for itself and rejected, so it cannot loop forever.
   */
  private Outcome launchAccountFault(Look look, RunInstancesRequest call, ErrorClass error, RuntimeException e) {
    switch (accountFaults.judgeLaunchFault(error, call, look.stopping())) {
      case REQUEST -> {
        log.info("message {}: {} for this request while a known launch is still allowed (DryRun): an IAM condition "
            + "on its type, image or key refuses it; rejected, launches go on", look.message().messageId(),
            error.code());
        return rejectedByEc2(error, e);
      }
      case STOPPING -> {
        return Outcome.released();
      }
      case UNKNOWN -> {
        return accountFaults.unjudged(error, errorMessage(e), backoff.delay(ErrorClass.Action.RETRY,
            look.message().receiveCount()));
      }
      case ACCOUNT -> {
        // judged below
      }
    }
    InFlightMessage message = look.message();
    if (message.receiveCount() >= maxAttempts && accountPause.launchedSince(message.sentAt())) {
      return rejectedByEc2(error, e);
    }
    return accountFaults.pause(error, errorMessage(e), "RunInstances");
  }

  /**
   * Before an outcome that ends the message without a launch (a rejection, an expiry, a dead letter at the attempt
   * limit or at the queue's receive limit): if the message may be a repeat, its doubt must be cleared first, so the
   * DLQ never holds a request that launched. At the queue's last receive, an outcome that would hand the message back
   * becomes the worker's own dead letter instead of SQS's unexplained redrive.
   */
  private Outcome beforeDeadLetter(Look look, Outcome outcome) {
    InFlightMessage message = look.message();
    boolean lastReceive = maxReceiveCount.isPresent() && message.receiveCount() >= maxReceiveCount.getAsInt();
    boolean endsUnlaunched = outcome.kind().deadLettered()
        || (outcome.countsAsAttempt() && message.receiveCount() >= maxAttempts)
        || (lastReceive && !outcome.isFinal());
    if (!endsUnlaunched || !assumesNothingLaunched(outcome) || look.doubt().cleared()) {
      return lastReceive && !outcome.isFinal() ? outcome.atReceiveLimit(message.receiveCount()) : outcome;
    }
    // A first receive whose own call may have launched is at its last attempt; anything else was a repeat.
    String trigger = DoubtResolver.mayBeRepeat(message, look.token())
        ? DoubtResolver.lookupTrigger(message, look.token()) : "last_attempt";
    String how = trigger.equals("last_attempt") ? "found_at_last_attempt" : "found_by_" + trigger;
    if (lastReceive) {
      // SQS moves the message on its next receive whatever happens here: wait and look once more even if the worker
      // is stopping, then explain it in the DLQ under its token unless the look-up found the launch.
      Optional<Outcome> found = doubts.clear(look.withoutStop(), trigger, how).filter(Outcome::isFinal);
      return found.orElseGet(() -> outcome.atReceiveLimit(message.receiveCount()));
    }
    Optional<Outcome> instead = doubts.clear(look, trigger, how);
    if (instead.isEmpty()) {
      return outcome;
    }
    // Not cleared (the look-up failed, the worker is stopping, a pause): the message comes back, and this attempt
    // must not be the one the Settler dead-letters it for.
    Outcome next = instead.get();
    return next.countsAsAttempt() ? Outcome.held("before " + outcome.reason() + ": " + next.reason() + " ("
        + next.detail() + ")", next.retryDelay()) : next;
  }

  /** Whether an outcome ending the message unlaunched would be wrong if the token had launched. */
  private static boolean assumesNothingLaunched(Outcome outcome) {
    return !"token_conflict".equals(outcome.reason()) && outcome.mayCarryTokenSignature();
  }

  /** The token was used with other parameters: same request hash means drift (done), another means conflict. */
  private Outcome resolveMismatch(Look look, String clientToken) {
    try {
      // EC2's own record of this shape's ClientToken first, then the request's token tag (any shape). The launch it
      // resolves has already happened: the look-up never gives up for a stop.
      List<Ec2Port.FoundInstance> found = earlier.find(look.token().value(), List.of(clientToken), () -> false)
          .orElse(List.of());
      // Nothing found yet: DescribeInstances is eventually consistent, and a concurrent attempt may have launched a
      // moment ago. Look again a window later; max-attempts bounds it.
      return earlier.resolve(found, look.hash(), "parameter_drift", "mismatch").orElseGet(() -> Outcome.retry(
          "token_unresolved", "EC2 reports IdempotentParameterMismatch for token " + look.token().value()
              + " but no instance carries it yet", Optional.of("IdempotentParameterMismatch"),
          atLeastTheWindowIf(true, backoff.delay(ErrorClass.Action.RETRY, look.message().receiveCount()))));
    } catch (RuntimeException e) {
      return lookupFailed(e, look.message(), "DescribeInstances");
    }
  }

  /**
   * A look-up (or an image's root device) failed. An account fault pauses launching without using an attempt:
   * credentials revoked or an SCP denying Describe would otherwise dead-letter every redelivered request.
   */
  private Outcome lookupFailed(RuntimeException e, InFlightMessage message, String operation) {
    ErrorClass error = classifier.classify(e);
    if (error.action() == ErrorClass.Action.ACCOUNT_FAULT) {
      return accountFaults.pause(error, errorMessage(e), operation);
    }
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
