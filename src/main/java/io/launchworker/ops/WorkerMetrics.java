package io.launchworker.ops;

import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every meter the worker records, by name, in one place. Tag values come from closed sets (outcome kinds,
 * reason codes, EC2 operation names and error codes), never from message IDs or tokens. Every meter has a
 * description (Prometheus's HELP line: {@code promtool check metrics} requires one), and every timing histogram
 * is a timer with explicit buckets fitted to what it measures (message age was a distribution summary in seconds
 * with Micrometer's 276 default buckets from 1 to 4e18; its buckets count ceil(value), so every sub-second age
 * fell in the first and Prometheus showed fake quantiles of exactly 0.5, 0.9 and 0.99 s). Quantiles come from
 * the buckets (Prometheus's {@code histogram_quantile}, across the fleet), so no meter computes client-side
 * percentiles: neither registry exports them next to buckets. Thread-safe.
 */
public final class WorkerMetrics {
  public static final String RECEIVED = "launcher.messages.received";
  public static final String OUTCOMES = "launcher.outcomes";
  public static final String INSTANCES_LAUNCHED = "launcher.instances.launched";
  public static final String IN_FLIGHT = "launcher.messages.in.flight";
  /** The client-side EC2 rate a replica allows itself now, and its ceiling (the configured limit). */
  public static final String EC2_RATE = "launcher.ec2.rate.per.second";
  public static final String EC2_RATE_CEILING = "launcher.ec2.rate.ceiling.per.second";
  public static final String RECEIVED_AHEAD = "launcher.messages.received.ahead";
  public static final String PROCESSING = "launcher.message.processing";
  public static final String MESSAGE_AGE = "launcher.message.age";
  public static final String EC2_CALLS = "launcher.ec2.calls";
  /** Every HTTP attempt of an EC2 call, the SDK's own retries included, by {@code operation} and {@code result}. */
  public static final String EC2_ATTEMPTS = "launcher.ec2.attempts";
  public static final String LOOKUPS = "launcher.redelivery.lookups";
  public static final String VISIBILITY_EXTENSIONS = "launcher.visibility.extensions";
  public static final String DELETES = "launcher.deletes";
  public static final String DELETE_FAILURES = "launcher.delete.failures";
  public static final String DLQ_SENDS = "launcher.dlq.sends";
  public static final String RESULT_EVENTS_LOST = "launcher.result.events.lost";
  /** Messages deleted at their last attempt because SQS refused even their minimal dead letter. */
  public static final String DEAD_LETTER_REFUSED = "launcher.dead.letter.refused";
  public static final String RECEIVE_ERRORS = "launcher.receive.errors";
  public static final String INSTANCES_LAST_HOUR = "launcher.instances.last.hour";
  public static final String CAP_BINDING = "launcher.instance.cap.binding";
  /** Messages refused because their token attribute lacked the worker's signature. */
  public static final String TOKEN_SIGNATURE_INVALID = "launcher.token.signature.invalid";
  /** EC2 answers that paused launches for the whole account, by error code. */
  public static final String ACCOUNT_FAULTS = "launcher.account.faults";
  /** 1 while launches are paused for an account fault, else 0. */
  public static final String ACCOUNT_PAUSED = "launcher.account.paused";
  /** Counts of the hourly cap from EC2 ({@code result}: ok, failed). */
  public static final String CAP_COUNTS = "launcher.instance.cap.counts";
  /**
   * Shapes EC2 refused with an answer proving nothing launched, by {@code reason} (its error code), {@code market},
   * {@code instance_type} and {@code subnet}: each moved the launch on to its next shape, or, for the last one, left
   * the message to come back later.
   */
  public static final String SHAPE_REFUSALS = "launcher.shape.refusals";
  /**
   * Launches by the shape that launched ({@code market}, {@code instance_type}, {@code subnet}) and {@code fallback}:
   * true when an earlier shape of the request was refused first.
   */
  public static final String SHAPE_LAUNCHES = "launcher.shape.launches";
  /**
   * Waits for EC2's reads to catch up before an irreversible step on a message that may be a repeat, by {@code how}:
   * {@code released} (handed back for one window, remembered here), {@code waited} (waited in place), and by
   * {@code result} of the look-up after it ({@code found}, {@code not_found}, {@code pending} for a release).
   */
  public static final String CONSISTENCY_HOLDS = "launcher.consistency.holds";
  /** Handlers waiting in place for the consistency window now. */
  public static final String CONSISTENCY_WAITING = "launcher.consistency.waiting";
  /**
   * DryRun checks after {@code UnauthorizedOperation}, by {@code verdict}: {@code request} (a known launch is still
   * allowed: the request was rejected for itself), {@code account} (denied too: paused), {@code failed}.
   */
  public static final String DENIAL_CHECKS = "launcher.denial.checks";
  /**
   * Admin connections closed after their last allowed request ({@link AdminServer.Limits#maxRequestsPerConnection}):
   * whatever the client had pipelined behind it went unanswered.
   */
  public static final String ADMIN_CONNECTIONS_CAPPED = "launcher.admin.connections.capped";
  /** Approximate messages per queue ({@code queue}: source, dlq) and state (visible, in_flight, delayed). */
  public static final String QUEUE_DEPTH = "launcher.queue.depth";
  /** One series per readiness {@code reason} (a closed set, "ready" among them): 1 for the current one, else 0. */
  public static final String READY = "launcher.ready";

  /** The EC2 operations the worker calls; their attempt counters exist from the start, at 0. */
  public static final List<String> EC2_OPERATIONS = List.of("RunInstances", "DescribeInstances", "DescribeImages");

  // The tag values below exist at 0 from the start, so that an alert's increase(...) > 0 sees the first event (a
  // counter born at 1 has no earlier sample to increase from) and a panel shows 0 rather than "No data". Tag values
  // only an event can name (the request's instance types, an unexpected error code) appear on their first event.
  /** Why a token look-up was made ({@code trigger}) and what it found ({@code result}). */
  static final List<String> LOOKUP_TRIGGERS = List.of("redelivery", "redrive", "client_token", "mismatch",
      "last_attempt");
  static final List<String> LOOKUP_RESULTS = List.of("found", "not_found", "conflict");
  /** Consistency holds by {@code how} and the {@code result} each can have. */
  static final Map<String, List<String>> CONSISTENCY_HOLD_RESULTS = Map.of("released", List.of("pending"),
      "waited", List.of("found", "not_found"));
  static final List<String> DENIAL_VERDICTS = List.of("request", "account", "failed");
  /**
   * Every outcome kind with the reasons known before any message: the kind's own reason where it has one, and those
   * the alerts and the dashboard single out. Rejection and retry reasons that name a request's fault or an EC2 error
   * code appear on their first event.
   */
  static final Map<OutcomeKind, List<String>> OUTCOMES_AT_START = outcomesAtStart();

  private static Map<OutcomeKind, List<String>> outcomesAtStart() {
    Map<OutcomeKind, List<String>> reasons = new EnumMap<>(OutcomeKind.class);
    reasons.put(OutcomeKind.LAUNCHED, List.of(Outcome.launched("r", List.of()).reason()));
    reasons.put(OutcomeKind.ALREADY_LAUNCHED, List.of("found_by_redelivery", "found_by_redrive",
        "found_by_client_token"));
    reasons.put(OutcomeKind.REJECTED, List.of("max_attempts_exceeded", Outcome.RECEIVE_LIMIT_REACHED,
        Outcome.TOKEN_SIGNATURE_INVALID, "token_conflict"));
    reasons.put(OutcomeKind.RETRY, List.of("throttled", Outcome.ACCOUNT_FAULT, Outcome.CONSISTENCY_HOLD));
    reasons.put(OutcomeKind.EXPIRED, List.of(Outcome.expired(Duration.ZERO, Duration.ZERO).reason()));
    reasons.put(OutcomeKind.DEFERRED, List.of(Outcome.deferred(Duration.ZERO, "").reason()));
    reasons.put(OutcomeKind.RELEASED, List.of(Outcome.released().reason(), "lost_to_another_receive"));
    return Collections.unmodifiableMap(reasons);
  }

  /**
   * Message age at receipt. A queue that keeps up is read within tens of milliseconds (a long poll
   * returns as soon as a message arrives); a backlog is minutes to hours; SQS keeps a message at most 14 days.
   * Neighbouring bounds are at most 3x apart, so a quantile is off by less than that factor.
   */
  static final Duration[] MESSAGE_AGE_BUCKETS = durations(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
      60, 120, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400, 259200, 604800, 1209600);
  /**
   * Receipt to decision: a rejection takes about a millisecond, a launch one RunInstances call (a few hundred
   * milliseconds on AWS) or several with look-ups and client-side rate limiting; minutes means something waits.
   */
  static final Duration[] PROCESSING_BUCKETS = durations(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
      1, 2.5, 5, 10, 30, 60, 120, 300);
  /**
   * One EC2 call, SDK retries included: milliseconds on loopback, 0.1 to 3 s on AWS, up to the client's 60 s
   * call timeout (config.AwsClients) when the SDK keeps retrying.
   */
  static final Duration[] EC2_CALL_BUCKETS = durations(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
      60);

  /** What one HTTP attempt of an EC2 call came to; the tag value is the lower-case name. */
  public enum AttemptResult {
    /** A 2xx answer. */
    OK,
    /** Throttled ({@code RequestLimitExceeded}, 503): the SDK may have retried it, the rate gate backs off. */
    THROTTLED,
    /** Any other 4xx answer: the request, the account or its permissions. */
    CLIENT_ERROR,
    /** Any other 5xx answer. */
    SERVER_ERROR,
    /** No HTTP answer: a connection error or the attempt's timeout. */
    NO_RESPONSE;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final Counter received;
  private final Counter instancesLaunched;
  private final Counter visibilityExtensions;
  private final Counter deletes;
  private final Counter dlqSends;
  private final Counter deadLetterRefused;
  private final Counter receiveErrors;
  private final Counter tokenSignatureInvalid;
  private final Counter resultEventsLost;
  private final Timer messageAge;
  /**
   * The meters recorded once or more per message whose tags come with the event, kept once registered: registering
   * again builds an ID, sorts its tags and looks it up in the registry, per message and meter. Keys are the tag
   * values, which come from closed sets (see the class comment), so these hold no more than the registry does.
   */
  private final Map<TagValues, Counter> outcomeCounters = new ConcurrentHashMap<>();
  private final Map<TagValues, Timer> processingTimers = new ConcurrentHashMap<>();
  private final Map<TagValues, Timer> ec2CallTimers = new ConcurrentHashMap<>();
  private final Map<TagValues, Counter> attemptCounters = new ConcurrentHashMap<>();
  private final Map<TagValues, Counter> shapeLaunchCounters = new ConcurrentHashMap<>();

  /** The tag values of one meter of a family, in the family's tag order. */
  private record TagValues(List<String> values) {
    static TagValues of(String... values) {
      return new TagValues(List.of(values));
    }

    String get(int i) {
      return values.get(i);
    }
  }

  public WorkerMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.received = Counter.builder(RECEIVED).description("Messages received from the source queue")
        .register(registry);
    this.instancesLaunched = Counter.builder(INSTANCES_LAUNCHED)
        .description("Instances launched by RunInstances calls of this worker").register(registry);
    this.visibilityExtensions = Counter.builder(VISIBILITY_EXTENSIONS)
        .description("Visibility timeout extensions of in-flight messages").register(registry);
    this.deletes = Counter.builder(DELETES).description("Messages deleted after their outcome was decided")
        .register(registry);
    this.dlqSends = Counter.builder(DLQ_SENDS).description("Messages sent to the dead-letter queue")
        .register(registry);
    this.deadLetterRefused = Counter.builder(DEAD_LETTER_REFUSED)
        .description("Messages deleted at their last attempt because SQS refused even their minimal dead letter")
        .register(registry);
    this.receiveErrors = Counter.builder(RECEIVE_ERRORS).description("Failed ReceiveMessage calls")
        .register(registry);
    this.tokenSignatureInvalid = Counter.builder(TOKEN_SIGNATURE_INVALID)
        .description("Messages whose launch-worker-token attribute was unsigned or signed with another key: refused")
        .register(registry);
    // At 0 from the start (the admin server counts into it), so an alert on its increase sees the first cut.
    Counter.builder(ADMIN_CONNECTIONS_CAPPED).description("Admin connections closed after their last allowed "
        + "request; requests pipelined behind it went unanswered").register(registry);
    // A timer, not a distribution summary in seconds: a summary's fixed buckets count ceil(value), so every
    // sub-second age landed in the bucket of 1.
    this.messageAge = Timer.builder(MESSAGE_AGE).description("Message age at receipt: now minus SentTimestamp")
        .serviceLevelObjectives(MESSAGE_AGE_BUCKETS).register(registry);
    // At 0 from the start, so a throttle-share panel shows 0 rather than "No data" before the first throttle.
    for (String operation : EC2_OPERATIONS) {
      for (AttemptResult result : AttemptResult.values()) {
        attempts(operation, result);
      }
    }
    for (String result : List.of("ok", "failed")) {
      capCounts(result);
    }
    this.resultEventsLost = Counter.builder(RESULT_EVENTS_LOST)
        .description("Result events given up after max-attempts failed sends").register(registry);
    OUTCOMES_AT_START.forEach((kind, reasons) -> reasons.forEach(reason -> outcomes(kind.tag(), reason)));
    LOOKUP_TRIGGERS.forEach(trigger -> LOOKUP_RESULTS.forEach(result -> lookups(trigger, result)));
    CONSISTENCY_HOLD_RESULTS.forEach((how, results) -> results.forEach(result -> consistencyHolds(how, result)));
    DENIAL_VERDICTS.forEach(this::denialChecks);
  }

  private static Duration[] durations(double... seconds) {
    Duration[] durations = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      durations[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
    }
    return durations;
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void received(int count) {
    received.increment(count);
  }

  public void messageAge(Duration age) {
    messageAge.record(age.isNegative() ? Duration.ZERO : age);
  }

  public void outcome(String kind, String reason, Duration processing) {
    outcomes(kind, reason).increment();
    cached(processingTimers, TagValues.of(kind), k -> Timer.builder(PROCESSING).tag("outcome", k.get(0))
        .serviceLevelObjectives(PROCESSING_BUCKETS).description("Receipt to decision of one message, by outcome")
        .register(registry)).record(processing);
  }

  private Counter outcomes(String kind, String reason) {
    return cached(outcomeCounters, TagValues.of(kind, reason), k -> Counter.builder(OUTCOMES)
        .tag("outcome", k.get(0)).tag("reason", k.get(1))
        .description("Messages decided, by outcome and reason code (rejection reasons are the DLQ's reason)")
        .register(registry));
  }

  /** The meter of {@code key} in {@code meters}, registered on its first use. */
  private static <M> M cached(Map<TagValues, M> meters, TagValues key, Function<TagValues, M> register) {
    M meter = meters.get(key);
    return meter != null ? meter : meters.computeIfAbsent(key, register);
  }

  public void instancesLaunched(int count) {
    instancesLaunched.increment(count);
  }

  /** Times one EC2 call; {@code errorCode} is "none" on success. */
  public void ec2Call(String operation, String errorCode, Duration duration) {
    cached(ec2CallTimers, TagValues.of(operation, errorCode), k -> Timer.builder(EC2_CALLS)
        .tag("operation", k.get(0)).tag("error", k.get(1))
        .serviceLevelObjectives(EC2_CALL_BUCKETS)
        .description("EC2 calls as the worker saw them, SDK retries included, by operation and final error code "
            + "(none on success)")
        .register(registry)).record(duration);
  }

  /** One HTTP attempt of an EC2 call, including those the SDK retried on its own. */
  public void ec2Attempt(String operation, AttemptResult result) {
    attempts(operation, result).increment();
  }

  private Counter attempts(String operation, AttemptResult result) {
    return cached(attemptCounters, TagValues.of(operation, result.tag()), k -> Counter.builder(EC2_ATTEMPTS)
        .tag("operation", k.get(0)).tag("result", k.get(1))
        .description("HTTP attempts of EC2 calls, the SDK's own retries included, by operation and result (ok, "
            + "throttled, client_error, server_error, no_response)")
        .register(registry));
  }

  /**
   * A shape EC2 refused. Tag values are EC2 error codes and the request's instance types and subnets, which the
   * validator holds to EC2's shapes (and the policy's allow-lists, when set); "default" where EC2 got none.
   */
  public void shapeRefused(String reason, String market, String instanceType, String subnet) {
    Counter.builder(SHAPE_REFUSALS).description("Launch shapes (market, instance type, subnet) EC2 refused for "
            + "capacity, moving the launch to the next shape")
        .tags("reason", reason, "market", market, "instance_type", instanceType, "subnet", subnet)
        .register(registry).increment();
  }

  /** A launch, by the shape that launched, and whether an earlier shape was refused first. */
  public void shapeLaunched(String market, String instanceType, String subnet, boolean fallback) {
    cached(shapeLaunchCounters, TagValues.of(market, instanceType, subnet, String.valueOf(fallback)),
        k -> Counter.builder(SHAPE_LAUNCHES).description("Launches by the shape that launched; fallback=true after an "
                + "earlier shape was refused")
            .tags("market", k.get(0), "instance_type", k.get(1), "subnet", k.get(2), "fallback", k.get(3))
            .register(registry)).increment();
  }

  /** A look-up of instances by token; {@code result} is "found", "not_found" or "conflict". */
  public void lookup(String trigger, String result) {
    lookups(trigger, result).increment();
  }

  private Counter lookups(String trigger, String result) {
    return Counter.builder(LOOKUPS).tag("trigger", trigger).tag("result", result)
        .description("Look-ups of earlier launches by token, by what triggered them and what they found")
        .register(registry);
  }

  public void visibilityExtended(int count) {
    visibilityExtensions.increment(count);
  }

  public void deleted(int count) {
    deletes.increment(count);
  }

  public void deleteFailed(String code) {
    deleteFailures(code).increment();
  }

  /** Registers the delete failures of these error codes at 0, so they exist before the first one. */
  public void expectDeleteFailures(Collection<String> codes) {
    codes.forEach(this::deleteFailures);
  }

  private Counter deleteFailures(String code) {
    return Counter.builder(DELETE_FAILURES).tag("error", code)
        .description("Messages whose delete SQS refused, by error code (the message comes back and is found by token)")
        .register(registry);
  }

  /** A result event that could not be sent by the message's last attempt (the message was deleted anyway). */
  public void resultEventLost() {
    resultEventsLost.increment();
  }

  public void dlqSent() {
    dlqSends.increment();
  }

  /** A message deleted without a DLQ copy: SQS refused even its minimal dead letter (logged with its ID). */
  public void deadLetterRefused() {
    deadLetterRefused.increment();
  }

  public void receiveError() {
    receiveErrors.increment();
  }

  public void queueDepthGauge(String queue, String state, Supplier<Number> depth) {
    io.micrometer.core.instrument.Gauge.builder(QUEUE_DEPTH, depth).tag("queue", queue).tag("state", state)
        .description("Approximate number of messages, read from SQS every 30 s").register(registry);
  }

  /** Instances the fleet launched in the last hour as this worker sees it, and 1 while the hourly cap holds back. */
  public void capGauges(Supplier<Number> usedInLastHour, Supplier<Number> binding) {
    io.micrometer.core.instrument.Gauge.builder(INSTANCES_LAST_HOUR, usedInLastHour)
        .description("Instances launched in the last hour by the whole fleet, counted from EC2 plus this worker's "
            + "launches not visible there yet (the hourly cap's window; every replica reports the fleet's, so "
            + "take the max, not the sum)")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder(CAP_BINDING, binding)
        .description("1 while the hourly instance cap holds launches back (or has not been counted yet), else 0")
        .register(registry);
  }

  /** One count of the hourly cap from EC2 (all its DescribeInstances pages); {@code result} is ok or failed. */
  public void capCount(String result) {
    capCounts(result).increment();
  }

  private Counter capCounts(String result) {
    return Counter.builder(CAP_COUNTS).tag("result", result)
        .description("Counts of the hourly instance cap from EC2 (DescribeInstances by tag key and launch hour)")
        .register(registry);
  }

  /** EC2 refused a launch for the account, not the request (an IAM, SCP or credentials change, say). */
  public void accountFault(String code) {
    accountFaults(code).increment();
  }

  /** Registers the account faults of these error codes at 0, so they exist before the first one. */
  public void expectAccountFaults(Collection<String> codes) {
    codes.forEach(this::accountFaults);
  }

  private Counter accountFaults(String code) {
    return Counter.builder(ACCOUNT_FAULTS).tag("error", code)
        .description("Launches refused for the account (credentials, IAM/SCP, opt-in): launches pause, not DLQ")
        .register(registry);
  }

  public void consistencyHold(String how, String result) {
    consistencyHolds(how, result).increment();
  }

  private Counter consistencyHolds(String how, String result) {
    return Counter.builder(CONSISTENCY_HOLDS).tag("how", how).tag("result", result)
        .description("Waits for EC2's reads to catch up before an irreversible step on a possible repeat")
        .register(registry);
  }

  public void consistencyWaitingGauge(Supplier<Number> waiting) {
    io.micrometer.core.instrument.Gauge.builder(CONSISTENCY_WAITING, waiting)
        .description("Handlers waiting in place for the consistency window now").register(registry);
  }

  public void denialCheck(String verdict) {
    denialChecks(verdict).increment();
  }

  private Counter denialChecks(String verdict) {
    return Counter.builder(DENIAL_CHECKS).tag("verdict", verdict)
        .description("DryRun checks of a known launch after UnauthorizedOperation, by verdict")
        .register(registry);
  }

  public void tokenSignatureInvalid() {
    tokenSignatureInvalid.increment();
  }

  public void accountPausedGauge(Supplier<Number> paused) {
    io.micrometer.core.instrument.Gauge.builder(ACCOUNT_PAUSED, paused)
        .description("1 while launches are paused for an account fault (one probe launch per back-off), else 0")
        .register(registry);
  }

  /**
   * One gauge series per readiness reason: 1 for the one {@code current} names, 0 for the others. Each series asks
   * {@code current} on its own, so a scrape taken while readiness changes may show the old and the new reason both
   * at 1, or neither, for that one scrape.
   *
   * @param reasons every value {@code current} may return
   */
  public void readinessGauges(List<String> reasons, Supplier<String> current) {
    for (String reason : reasons) {
      io.micrometer.core.instrument.Gauge.builder(READY, () -> reason.equals(current.get()) ? 1 : 0)
          .tag("reason", reason)
          .description("1 for the reason the worker is or is not ready now (ready: it takes work), 0 for the others")
          .register(registry);
    }
  }

  public void inFlightGauge(Supplier<Number> inFlight) {
    io.micrometer.core.instrument.Gauge.builder(IN_FLIGHT, inFlight).description("Messages being handled now")
        .register(registry);
  }

  /**
   * The rate one EC2 budget allows itself now and its ceiling, by {@code operation} ({@code RunInstances},
   * {@code Describe}): below the ceiling, the replica has found the account's budget shared.
   */
  public void ec2RateGauges(String operation, Supplier<Number> current, Supplier<Number> ceiling) {
    io.micrometer.core.instrument.Gauge.builder(EC2_RATE, current).tag("operation", operation)
        .description("EC2 calls per second this worker allows itself now: its share of the account's limit, "
            + "found from throttles")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder(EC2_RATE_CEILING, ceiling).tag("operation", operation)
        .description("The configured EC2 calls per second (launcher.ec2.*-per-second): the most this worker allows "
            + "itself")
        .register(registry);
  }

  public void receivedAheadGauge(Supplier<Number> waiting) {
    io.micrometer.core.instrument.Gauge.builder(RECEIVED_AHEAD, waiting)
        .description("Messages received ahead of a free handler, waiting for one (not in flight yet)").register(registry);
  }
}
