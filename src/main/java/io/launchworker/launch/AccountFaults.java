package io.launchworker.launch;

import io.launchworker.message.Outcome;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.settle.ErrorClass;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Tells the account's fault from the request's. An account fault from any EC2 call (a look-up, the cap's count, an
 * image's root device, a launch) pauses launching and never uses one of the message's attempts. But
 * {@code UnauthorizedOperation} on a launch may be an IAM condition on this request alone (its instance type, its
 * image, a KMS key): so EC2 is first asked, with {@code DryRun=true}, whether a launch it allowed lately would still
 * be allowed. Allowed: the request is refused for itself and rejected at once, nobody pauses. Denied: the account
 * is at fault. Thread-safe.
 */
final class AccountFaults {
  private static final Logger log = LoggerFactory.getLogger(AccountFaults.class);
  static final String UNAUTHORIZED = "UnauthorizedOperation";

  private final AccountFaultPause pause;
  private final KnownGoodLaunch knownGood;
  private final Ec2Port ec2;
  private final Ec2Budget budget;
  private final WorkerMetrics metrics;

  AccountFaults(AccountFaultPause pause, KnownGoodLaunch knownGood, Ec2Port ec2, Ec2Budget budget,
      WorkerMetrics metrics) {
    this.pause = pause;
    this.knownGood = knownGood;
    this.ec2 = ec2;
    this.budget = budget;
    this.metrics = metrics;
  }

  /** What the answer to this launch means; see the class comment. */
  enum Verdict {
    /** A launch EC2 allowed lately is still allowed: this request is refused for itself. */
    REQUEST,
    /** The account is at fault (or nothing says otherwise): pause. */
    ACCOUNT,
    /** The worker is stopping: release the message. */
    STOPPING
  }

  /** Asks EC2 whether a RunInstances account fault concerns only the request. */
  Verdict judgeLaunchFault(ErrorClass error, BooleanSupplier stopping) {
    if (!UNAUTHORIZED.equals(error.code())) {
      return Verdict.ACCOUNT;
    }
    Optional<RunInstancesRequest> dryRun = knownGood.dryRun();
    if (dryRun.isEmpty()) {
      return Verdict.ACCOUNT;
    }
    if (!budget.runInstances().acquire(stopping)) {
      return Verdict.STOPPING;
    }
    try {
      boolean allowed = ec2.dryRunAllowed(dryRun.get());
      metrics.denialCheck(allowed ? "request" : "account");
      return allowed ? Verdict.REQUEST : Verdict.ACCOUNT;
    } catch (RuntimeException e) {
      // Throttled, an outage, AuthFailure: nothing proves the account works, so it is treated as at fault.
      log.debug("DryRun of a known launch failed: {}", e.toString());
      metrics.denialCheck("failed");
      return Verdict.ACCOUNT;
    }
  }

  /** Pauses launching for an account fault EC2 answered to {@code operation}; the message goes back unattempted. */
  Outcome pause(ErrorClass error, String message, String operation) {
    metrics.accountFault(error.code());
    pause.faulted(error.code(), message, operation);
    return paused(Optional.of(error.code()));
  }

  /** The message goes back until the next probe, without using an attempt. */
  Outcome paused(Optional<String> code) {
    Duration wait = pause.untilProbe();
    return Outcome.accountFault(code, pause.current().map(f -> f.code() + ": " + f.message())
        .orElse("account fault"), wait.isZero() ? Duration.ofSeconds(1) : wait);
  }
}
