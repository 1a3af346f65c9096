package io.launchworker.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Every meter the worker records, by name, in one place. Tag values come from closed sets (outcome kinds,
 * reason codes, EC2 operation names and error codes), never from message IDs or tokens. Thread-safe.
 */
public final class WorkerMetrics {
  public static final String RECEIVED = "launcher.messages.received";
  public static final String OUTCOMES = "launcher.outcomes";
  public static final String INSTANCES_LAUNCHED = "launcher.instances.launched";
  public static final String IN_FLIGHT = "launcher.messages.in.flight";
  public static final String PROCESSING = "launcher.message.processing";
  public static final String MESSAGE_AGE = "launcher.message.age";
  public static final String EC2_CALLS = "launcher.ec2.calls";
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
  /** Approximate messages per queue ({@code queue}: source, dlq) and state (visible, in_flight, delayed). */
  public static final String QUEUE_DEPTH = "launcher.queue.depth";

  private final MeterRegistry registry;
  private final Counter received;
  private final Counter instancesLaunched;
  private final Counter visibilityExtensions;
  private final Counter deletes;
  private final Counter dlqSends;
  private final Counter deadLetterRefused;
  private final Counter receiveErrors;
  private final DistributionSummary messageAge;

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
    // Registered up front: an alert on it should see 0, not a missing series.
    this.deadLetterRefused = Counter.builder(DEAD_LETTER_REFUSED)
        .description("Messages deleted at their last attempt because SQS refused even their minimal dead letter")
        .register(registry);
    this.receiveErrors = Counter.builder(RECEIVE_ERRORS).description("Failed ReceiveMessage calls")
        .register(registry);
    this.messageAge = DistributionSummary.builder(MESSAGE_AGE).baseUnit("seconds")
        .description("Message age at receipt: now minus SentTimestamp").publishPercentiles(0.5, 0.9, 0.99)
        .publishPercentileHistogram().register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void received(int count) {
    received.increment(count);
  }

  public void messageAge(Duration age) {
    messageAge.record(Math.max(0, age.toMillis()) / 1000.0);
  }

  public void outcome(String kind, String reason, Duration processing) {
    Counter.builder(OUTCOMES).tag("outcome", kind).tag("reason", reason).register(registry).increment();
    // Percentiles for one worker's view, histogram buckets so a fleet's percentiles can be aggregated.
    Timer.builder(PROCESSING).tag("outcome", kind).publishPercentiles(0.5, 0.99).publishPercentileHistogram()
        .register(registry).record(processing);
  }

  public void instancesLaunched(int count) {
    instancesLaunched.increment(count);
  }

  /** Times one EC2 call; {@code errorCode} is "none" on success. */
  public void ec2Call(String operation, String errorCode, Duration duration) {
    Timer.builder(EC2_CALLS).tag("operation", operation).tag("error", errorCode).publishPercentiles(0.5, 0.99)
        .publishPercentileHistogram().register(registry).record(duration);
  }

  /** A look-up of instances by token; {@code result} is "found", "not_found" or "conflict". */
  public void lookup(String trigger, String result) {
    Counter.builder(LOOKUPS).tag("trigger", trigger).tag("result", result).register(registry).increment();
  }

  public void visibilityExtended(int count) {
    visibilityExtensions.increment(count);
  }

  public void deleted(int count) {
    deletes.increment(count);
  }

  public void deleteFailed(String code) {
    Counter.builder(DELETE_FAILURES).tag("error", code).register(registry).increment();
  }

  /** A result event that could not be sent by the message's last attempt (the message was deleted anyway). */
  public void resultEventLost() {
    Counter.builder(RESULT_EVENTS_LOST).description("Result events given up after max-attempts failed sends")
        .register(registry).increment();
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
    Counter.builder(CAP_COUNTS).tag("result", result)
        .description("Counts of the hourly instance cap from EC2 (DescribeInstances by tag key and launch hour)")
        .register(registry).increment();
  }

  /** EC2 refused a launch for the account, not the request (an IAM, SCP or credentials change, say). */
  public void accountFault(String code) {
    Counter.builder(ACCOUNT_FAULTS).tag("error", code)
        .description("Launches refused for the account (credentials, IAM/SCP, opt-in): launches pause, not DLQ")
        .register(registry).increment();
  }

  public void tokenSignatureInvalid() {
    Counter.builder(TOKEN_SIGNATURE_INVALID)
        .description("Messages whose launch-worker-token attribute was unsigned or signed with another key: refused")
        .register(registry).increment();
  }

  public void accountPausedGauge(Supplier<Number> paused) {
    io.micrometer.core.instrument.Gauge.builder(ACCOUNT_PAUSED, paused)
        .description("1 while launches are paused for an account fault (one probe launch per back-off), else 0")
        .register(registry);
  }

  public void inFlightGauge(Supplier<Number> inFlight) {
    io.micrometer.core.instrument.Gauge.builder(IN_FLIGHT, inFlight).description("Messages being handled now")
        .register(registry);
  }
}
