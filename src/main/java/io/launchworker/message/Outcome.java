package io.launchworker.message;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened to one message and what must be done with it. Immutable.
 *
 * @param kind the fate
 * @param reason closed-set reason code (metric tag, DLQ attribute); "ok" for launches
 * @param detail human explanation, never containing userData
 * @param errorCode the EC2/SDK error code behind a rejection or retry, if any
 * @param reservationId the reservation launched or found
 * @param instances the instances launched or found, with their state when EC2 said
 * @param retryDelay for {@link OutcomeKind#RETRY}: how long until the message should come back
 * @param placement for launches: where the instances landed (market, type, subnet, zone) as far as EC2 said
 * @param refusals the shapes EC2 refused for capacity before this outcome, in the order tried
 */
public record Outcome(
    OutcomeKind kind,
    String reason,
    String detail,
    Optional<String> errorCode,
    Optional<String> reservationId,
    List<InstanceRef> instances,
    Duration retryDelay,
    Optional<Placement> placement,
    List<ShapeRefusal> refusals) {

  /** An instance and its state as EC2 reported it ("pending" right after launch). */
  public record InstanceRef(String instanceId, String state) {}

  public Outcome {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
    instances = List.copyOf(instances);
    Objects.requireNonNull(placement, "placement");
    refusals = List.copyOf(refusals);
  }

  /** An outcome with no placement and no refusals. */
  public Outcome(OutcomeKind kind, String reason, String detail, Optional<String> errorCode,
      Optional<String> reservationId, List<InstanceRef> instances, Duration retryDelay) {
    this(kind, reason, detail, errorCode, reservationId, instances, retryDelay, Optional.empty(), List.of());
  }

  /** This outcome, saying where its instances landed. */
  public Outcome withPlacement(Optional<Placement> where) {
    return new Outcome(kind, reason, detail, errorCode, reservationId, instances, retryDelay, where, refusals);
  }

  /** This outcome, listing the shapes refused before it. */
  public Outcome withRefusals(List<ShapeRefusal> refused) {
    return new Outcome(kind, reason, detail, errorCode, reservationId, instances, retryDelay, placement, refused);
  }

  /**
   * This outcome without its reservation, instances and placement: for a message whose token came from an attribute
   * nobody signed, which anyone who can write to the queue could have set to another request's token.
   */
  public Outcome namingNoInstances() {
    return new Outcome(kind, reason, detail, errorCode, Optional.empty(), List.of(), retryDelay, Optional.empty(),
        refusals);
  }

  public List<String> instanceIds() {
    return instances.stream().map(InstanceRef::instanceId).toList();
  }

  /** Launched, already launched or rejected: the message's fate is final and it leaves the queue. */
  public boolean isFinal() {
    return kind == OutcomeKind.LAUNCHED || kind == OutcomeKind.ALREADY_LAUNCHED || kind.deadLettered();
  }

  public static Outcome launched(String reservationId, List<InstanceRef> instances) {
    return new Outcome(OutcomeKind.LAUNCHED, "ok", "launched", Optional.empty(), Optional.of(reservationId),
        instances, Duration.ZERO);
  }

  public static Outcome alreadyLaunched(String how, Optional<String> reservationId, List<InstanceRef> instances) {
    return new Outcome(OutcomeKind.ALREADY_LAUNCHED, how, "instances for this token already exist",
        Optional.empty(), reservationId, instances, Duration.ZERO);
  }

  public static Outcome rejected(String reason, String detail, Optional<String> errorCode) {
    return new Outcome(OutcomeKind.REJECTED, reason, detail, errorCode, Optional.empty(), List.of(), Duration.ZERO);
  }

  public static Outcome retry(String reason, String detail, Optional<String> errorCode, Duration delay) {
    return new Outcome(OutcomeKind.RETRY, reason, detail, errorCode, Optional.empty(), List.of(), delay);
  }

  /**
   * Launches are paused for an account fault: the message goes back after {@code delay} and the attempt does not
   * count towards max-attempts (the request is not at fault).
   */
  public static Outcome accountFault(Optional<String> errorCode, String detail, Duration delay) {
    return new Outcome(OutcomeKind.RETRY, ACCOUNT_FAULT, detail, errorCode, Optional.empty(), List.of(), delay);
  }

  /** Reason of a rejection for a token attribute the worker did not sign. */
  public static final String TOKEN_SIGNATURE_INVALID = "token_signature_invalid";

  /**
   * Refused because its {@code launch-worker-token} attribute lacks the worker's signature. Its DLQ copy keeps the
   * attribute unsigned: signing it would launder the borrowed token, and its redrive must be refused again.
   */
  public static Outcome tokenSignatureInvalid(String detail) {
    return rejected(TOKEN_SIGNATURE_INVALID, detail, Optional.empty());
  }

  /** Whether a DLQ copy of this outcome may carry the worker's signature for its token. */
  public boolean mayCarryTokenSignature() {
    return !TOKEN_SIGNATURE_INVALID.equals(reason);
  }

  /** Reason of a retry that is the account's fault; such a retry never uses up one of the message's attempts. */
  public static final String ACCOUNT_FAULT = "account_fault";

  /** Reason of a retry that waits for EC2's reads to catch up; it never uses up one of the message's attempts. */
  public static final String CONSISTENCY_HOLD = "consistency_hold";

  /**
   * The message may be a repeat and its look-up found nothing, but the look-up was too soon after a call that may
   * have launched to prove that none did (EC2's reads lag): it comes back after {@code delay} to look again before
   * anything a launch would contradict. Not the request's fault, so not an attempt.
   */
  public static Outcome held(String detail, Duration delay) {
    return new Outcome(OutcomeKind.RETRY, CONSISTENCY_HOLD, detail, Optional.empty(), Optional.empty(), List.of(),
        delay);
  }

  /** Reason of a dead letter the worker sends itself at the last receive its queue's redrive policy allows. */
  public static final String RECEIVE_LIMIT_REACHED = "receive_limit_reached";

  /**
   * At the last receive SQS allows ({@code maxReceiveCount}), an outcome that would hand the message back becomes a
   * dead letter with its reason and token: SQS's own redrive would move it on the next receive with neither.
   */
  public Outcome atReceiveLimit(int receiveCount) {
    return rejected(RECEIVE_LIMIT_REACHED, "received " + receiveCount + " times, the source queue's maxReceiveCount: "
        + "SQS's redrive would move it to the DLQ unexplained on its next receive; it was " + kind.tag() + " ("
        + reason + ": " + detail + ")", errorCode).withRefusals(refusals);
  }

  /** Whether this outcome uses up one of the message's max-attempts. */
  public boolean countsAsAttempt() {
    return kind == OutcomeKind.RETRY && !ACCOUNT_FAULT.equals(reason) && !CONSISTENCY_HOLD.equals(reason);
  }

  public static Outcome expired(Duration age, Duration maxAge) {
    return new Outcome(OutcomeKind.EXPIRED, "expired", "request is " + age.toSeconds() + "s old, older than "
        + "max-request-age " + maxAge.toSeconds() + "s; not launched", Optional.empty(), Optional.empty(), List.of(),
        Duration.ZERO);
  }

  public static Outcome deferred(Duration delay, String detail) {
    return new Outcome(OutcomeKind.DEFERRED, "hourly_cap", detail, Optional.empty(), Optional.empty(), List.of(),
        delay);
  }

  public static Outcome released() {
    return new Outcome(OutcomeKind.RELEASED, "shutdown", "worker stopping before the launch started",
        Optional.empty(), Optional.empty(), List.of(), Duration.ZERO);
  }
}
