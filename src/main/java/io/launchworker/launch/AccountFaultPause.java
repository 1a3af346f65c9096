package io.launchworker.launch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the account may launch at all. An account fault (credentials, an IAM or SCP denial, a blocked, unverified
 * or not opted-in account) makes every request fail the same way; dead-lettering the backlog for it would punish
 * the requests for the account's state. So the first account fault pauses the worker: the poller stops receiving,
 * messages in hand go back with a back-off, and one probe per back-off period asks whether the fault has cleared.
 * The back-off starts at {@code firstProbe} and doubles up to {@code maxProbe}.
 *
 * <p>A probe consumes no message when it can be made without one ({@code quietProbe} says so for a fault: a
 * Describe call failed, or a launch EC2 allowed lately can be asked again with {@code DryRun=true}): then nothing is
 * received while paused, so no receive count grows towards the queue's own redrive, and {@link PauseProbe} asks
 * EC2 on the scheduler. Otherwise one message per back-off period is received and its launch is the probe. A probe
 * that passes, or any successful launch, resumes everything.
 *
 * <p>Shared by the poller (may I receive, and how much) and the handler threads (may this launch go to EC2, and
 * what did EC2 say). Thread-safe: every method is short and synchronized; nothing calls out under the lock.
 */
public final class AccountFaultPause {
  private static final Logger log = LoggerFactory.getLogger(AccountFaultPause.class);

  private final Clock clock;
  private final Duration firstProbe;
  private final Duration maxProbe;
  private final java.util.function.Predicate<Fault> quietProbe;
  // All guarded by this.
  private Fault fault;
  private Duration probeDelay;
  private Instant nextLaunchProbe;
  private Instant nextReceiveProbe;
  private Instant lastLaunch = Instant.MIN;
  private boolean probeOut;

  /**
   * The account fault in force: the EC2 error code and message, since when, the probes made, and the EC2 operation
   * that answered it ({@code RunInstances}, {@code DescribeInstances}, {@code DescribeImages}).
   */
  public record Fault(String code, String message, Instant since, int probes, String operation,
      Optional<String> subject) {
    public Fault(String code, String message, Instant since, int probes) {
      this(code, message, since, probes, RUN_INSTANCES, Optional.empty());
    }

    public Fault(String code, String message, Instant since, int probes, String operation) {
      this(code, message, since, probes, operation, Optional.empty());
    }

    /** One line for readiness and logs. */
    public String describe(Instant now) {
      return "account fault " + code + " since " + Duration.between(since, now).toSeconds() + "s (" + message
          + "); launches paused, " + probes + " probe(s) so far";
    }
  }

  static final String RUN_INSTANCES = "RunInstances";

  /** Probes by receiving one message per back-off period (no quiet probe). */
  public AccountFaultPause(Clock clock, Duration firstProbe, Duration maxProbe) {
    this(clock, firstProbe, maxProbe, fault -> false);
  }

  /** @param quietProbe whether a fault can be probed without a message (then nothing is received while paused) */
  public AccountFaultPause(Clock clock, Duration firstProbe, Duration maxProbe,
      java.util.function.Predicate<Fault> quietProbe) {
    this.clock = clock;
    this.quietProbe = quietProbe;
    this.firstProbe = firstProbe;
    this.maxProbe = maxProbe.compareTo(firstProbe) < 0 ? firstProbe : maxProbe;
    this.probeDelay = firstProbe;
  }

  /**
   * EC2 answered a launch with an account fault: pause, or, when the answer is the probe's, double the back-off
   * and schedule the next probe. Launches that were already in flight when the pause began change nothing.
   * Returns true when this answer started the pause.
   */
  public boolean faulted(String code, String message) {
    return faulted(code, message, RUN_INSTANCES);
  }

  /** As {@link #faulted(String, String)}, for an answer to {@code operation}. */
  public boolean faulted(String code, String message, String operation) {
    return faulted(code, message, operation, Optional.empty());
  }

  /** As above, naming what the call asked about (the image of a DescribeImages), for the probe to ask again. */
  public synchronized boolean faulted(String code, String message, String operation, Optional<String> subject) {
    Instant now = clock.instant();
    boolean started = fault == null;
    if (started) {
      probeDelay = firstProbe;
      fault = new Fault(code, message, now, 0, operation, subject);
      log.warn("EC2 refuses {} for the account ({}: {}); pausing: no receives, one probe every {}s at first",
          operation, code, message, probeDelay.toSeconds());
    } else if (probeOut) {
      probeDelay = probeDelay.multipliedBy(2).compareTo(maxProbe) > 0 ? maxProbe : probeDelay.multipliedBy(2);
      fault = new Fault(code, message, fault.since(), fault.probes(), fault.operation(), fault.subject());
    } else {
      return false;
    }
    probeOut = false;
    nextLaunchProbe = now.plus(probeDelay);
    nextReceiveProbe = nextLaunchProbe;
    return started;
  }

  /** A launch succeeded: the account works, whatever was paused resumes. */
  public synchronized void launched() {
    lastLaunch = clock.instant();
    resume("EC2 launches again");
  }

  /**
   * The quiet probe is due now: returns the fault to probe (marking the probe made), else empty. For
   * {@link PauseProbe}, which then reports {@link #probePassed()} or {@link #faulted(String, String, String)}.
   */
  public synchronized Optional<Fault> quietProbeDue() {
    if (fault == null || !quietProbe.test(fault) || clock.instant().isBefore(nextLaunchProbe)) {
      return Optional.empty();
    }
    nextLaunchProbe = clock.instant().plus(probeDelay);
    nextReceiveProbe = nextLaunchProbe;
    probeOut = true;
    fault = new Fault(fault.code(), fault.message(), fault.since(), fault.probes() + 1, fault.operation(),
        fault.subject());
    return Optional.of(fault);
  }

  /** A quiet probe was answered without an account fault: resume. */
  public synchronized void probePassed() {
    resume("an EC2 probe passes");
  }

  private void resume(String why) {
    if (fault != null) {
      log.info("{} after an account fault of {}s ({}); resuming", why,
          Duration.between(fault.since(), clock.instant()).toSeconds(), fault.code());
      fault = null;
      probeDelay = firstProbe;
    }
    probeOut = false;
  }

  /**
   * A handler asks, right before RunInstances, whether its launch may go: always while there is no fault; during
   * one, only the first launch after the probe time (the probe). A launch refused here must not be counted as an
   * attempt of its message.
   */
  public synchronized boolean mayLaunch() {
    if (fault == null) {
      return true;
    }
    if (quietProbe.test(fault)) {
      return false;
    }
    Instant now = clock.instant();
    if (now.isBefore(nextLaunchProbe)) {
      return false;
    }
    nextLaunchProbe = now.plus(probeDelay);
    probeOut = true;
    fault = new Fault(fault.code(), fault.message(), fault.since(), fault.probes() + 1);
    return true;
  }

  /**
   * The poller asks before each receive. Empty: receive as usual. Otherwise the most messages to receive now: 0
   * while paused between probes, 1 when a probe is due (at most one probe message per back-off period).
   */
  public synchronized Optional<Integer> receiveLimit() {
    if (fault == null) {
      return Optional.empty();
    }
    if (quietProbe.test(fault)) {
      return Optional.of(0);
    }
    Instant now = clock.instant();
    if (now.isBefore(nextReceiveProbe)) {
      return Optional.of(0);
    }
    nextReceiveProbe = now.plus(probeDelay);
    // The message received is the probe: a fault it meets (on its look-up as much as on its launch) doubles the
    // back-off. Found by the fleet simulation (seed 7452): a probe message whose look-up was refused was received
    // again every base-delay until SQS's own redrive took it.
    probeOut = true;
    return Optional.of(1);
  }

  /** How long until the next probe may launch; the back-off for a message handed back during the pause. */
  public synchronized Duration untilProbe() {
    if (fault == null) {
      return Duration.ZERO;
    }
    Duration left = Duration.between(clock.instant(), nextLaunchProbe);
    return left.isNegative() ? Duration.ZERO : left;
  }

  public synchronized Optional<Fault> current() {
    return Optional.ofNullable(fault);
  }

  /** Readiness text while paused. */
  public synchronized Optional<String> pausedBecause() {
    return fault == null ? Optional.empty() : Optional.of(fault.describe(clock.instant()));
  }

  /**
   * Whether some launch succeeded after {@code instant}. A request that keeps being refused although others
   * launch since it was sent is refused for itself (an IAM condition on its image or type), not for the account.
   */
  public synchronized boolean launchedSince(Instant instant) {
    return lastLaunch.isAfter(instant);
  }
}
