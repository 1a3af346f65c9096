package io.launchworker.launch;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.LaunchRequest;
import io.launchworker.request.ReadResult;
import io.launchworker.request.RequestHash;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import io.launchworker.settle.Ec2ErrorClassifier;
import io.launchworker.settle.ErrorClass;
import io.launchworker.settle.InFlightMessage;
import io.launchworker.settle.Outcome;
import io.launchworker.settle.RetryBackoff;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Decides one message's launch: read and check the request, take its token, look up earlier launches when
 * this may be a repeat, call RunInstances, and resolve idempotency answers. Returns the outcome; settling it on
 * the queue is the caller's job. Stateless apart from its collaborators; called concurrently by handler threads.
 */
public final class LaunchHandler {
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
  private final WorkerMetrics metrics;

  /**
   * @param maxRequestAge requests older than this (by SentTimestamp) expire unlaunched; zero turns it off
   * @param maxAttempts the receive count at which a failing message is dead-lettered (see {@code Settler})
   */
  public LaunchHandler(RequestReader reader, RunInstancesMapper mapper, Ec2Port ec2, Ec2ErrorClassifier classifier,
      RetryBackoff backoff, Ec2Budget budget, HourlyInstanceCap cap, Duration maxRequestAge, Clock clock,
      int maxAttempts, WorkerMetrics metrics) {
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
    this.metrics = metrics;
  }

  /** The token a message settles under, and what became of it. */
  public record Result(Token token, Optional<String> requestId, Outcome outcome) {}

  /**
   * Handles one message. {@code stopping} is checked before anything is sent to EC2, including while waiting
   * for the rate budget: a worker that is shutting down releases the message instead of starting its launch.
   */
  public Result handle(InFlightMessage message, BooleanSupplier stopping) {
    ReadResult read = reader.read(message.body());
    if (read instanceof ReadResult.Rejected rejected) {
      Token token = Token.resolve(Optional.empty(), message.attributes(), message.messageId());
      return new Result(token, Optional.empty(), Outcome.rejected(rejected.rejection().reason(),
          rejected.rejection().message(), Optional.empty()));
    }
    LaunchRequest request = ((ReadResult.Accepted) read).request();
    Token token = Token.resolve(request.clientToken(), message.attributes(), message.messageId());
    return new Result(token, request.requestId(), launch(message, request, token, stopping));
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
    RunInstancesRequest call = mapper.map(request, token.value(), message.messageId(), hash);
    HourlyInstanceCap.Reservation reserved = cap.tryReserve(token.value(), request.maxCount());
    if (reserved == null) {
      return cap.deferral(request.maxCount());
    }
    if (!budget.runInstances().acquire(stopping)) {
      reserved.release();
      return Outcome.released();
    }
    try {
      Ec2Port.Reservation reservation = ec2.runInstances(call);
      reserved.launched(reservation.instances());
      metrics.instancesLaunched(reservation.instances().size());
      return Outcome.launched(reservation.reservationId(), reservation.instances());
    } catch (RuntimeException e) {
      ErrorClass error = classifier.classify(e);
      // An unclear failure may have launched: it keeps its room in the cap until a count shows its token.
      if (UNCLEAR.contains(error.reason())) {
        reserved.answerLost();
      } else {
        reserved.release();
      }
      return switch (error.action()) {
        case PARAMETER_MISMATCH -> resolveMismatch(message, token, hash);
        case ALREADY_DONE -> Outcome.alreadyLaunched(error.reason(), Optional.empty(), List.of());
        case REJECT -> Outcome.rejected(error.reason(), "EC2 rejected the launch: " + error.code() + ": "
            + errorMessage(e), Optional.of(error.code()));
        case RETRY, RETRY_CAPACITY, RETRY_QUOTA -> lastAttemptCheck(message, token, hash, error).orElseGet(() ->
            Outcome.retry(error.reason(), error.code() + ": " + errorMessage(e), Optional.of(error.code()),
                backoff.delay(error.action(), message.receiveCount())));
      };
    }
  }

  /** Failures after which EC2 may have launched although the call failed (the request may have reached it). */
  private static final java.util.Set<String> UNCLEAR = java.util.Set.of("network_error", "sdk_error",
      "ec2_unavailable", "internal_error");

  /**
   * On the last allowed attempt, a failure that leaves open whether EC2 launched is looked up before the
   * message is dead-lettered, so a request that did launch is never reported as rejected.
   */
  private Optional<Outcome> lastAttemptCheck(InFlightMessage message, Token token, String hash, ErrorClass error) {
    if (message.receiveCount() < maxAttempts || !UNCLEAR.contains(error.reason())) {
      return Optional.empty();
    }
    try {
      return resolveFound(findByEitherFilter(token), hash, "found_at_last_attempt", "last_attempt");
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
  private Outcome resolveMismatch(InFlightMessage message, Token token, String hash) {
    try {
      List<Ec2Port.FoundInstance> found = findByEitherFilter(token);
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
   * EC2's own record of the token first, then the worker's tag. Each call waits for the Describe budget but
   * never gives up for a stop: the launch it resolves has already happened.
   */
  private List<Ec2Port.FoundInstance> findByEitherFilter(Token token) {
    budget.describe().acquire(() -> false);
    List<Ec2Port.FoundInstance> found = ec2.findByToken(token.value(), Ec2Port.TokenFilter.CLIENT_TOKEN);
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
      return Optional.of(Outcome.rejected("token_conflict", "client token already used by a different request ("
          + found.size() + " instance(s), e.g. " + found.get(0).instanceId() + ")", Optional.empty()));
    }
    metrics.lookup(trigger, "found");
    return Optional.of(Outcome.alreadyLaunched(how, Optional.of(found.get(0).reservationId()),
        found.stream().map(i -> new Outcome.InstanceRef(i.instanceId(), i.state())).toList()));
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
