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
  /** Credential faults: EC2 checks the signature before anything else, so a DryRun answers them too. */
  static final java.util.Set<String> CREDENTIAL_CODES = java.util.Set.of("AuthFailure", "RequestExpired",
      "ExpiredToken", "InvalidClientTokenId", "SignatureDoesNotMatch");
  private static final java.util.Set<String> ACCOUNT_CODES = java.util.Set.of("AuthFailure", "RequestExpired",
      "ExpiredToken", "InvalidClientTokenId", "SignatureDoesNotMatch", UNAUTHORIZED, "Blocked", "PendingVerification",
      "OptInRequired");

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
    STOPPING,
    /** The DryRun could not be made (throttled, an outage): neither is proven; the message comes back later. */
    UNKNOWN
  }

  /** Asks EC2 whether a RunInstances account fault concerns only the refused request. */
  Verdict judgeLaunchFault(ErrorClass error, RunInstancesRequest refused, BooleanSupplier stopping) {
    if (!UNAUTHORIZED.equals(error.code())) {
      return Verdict.ACCOUNT;
    }
    Optional<RunInstancesRequest> dryRun = knownGood.dryRunOtherThan(refused);
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
      metrics.denialCheck("failed");
      log.debug("DryRun of a known launch failed: {}", e.toString());
      // An account fault answering the DryRun proves the account is at fault; throttling or an outage proves nothing.
      return e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException service
          && service.awsErrorDetails() != null && ACCOUNT_CODES.contains(service.awsErrorDetails().errorCode())
          ? Verdict.ACCOUNT : Verdict.UNKNOWN;
    }
  }

  /** Pauses launching for an account fault EC2 answered to {@code operation}; the message goes back unattempted. */
  Outcome pause(ErrorClass error, String message, String operation) {
    return pause(error, message, operation, Optional.empty());
  }

  /** As above, naming what the call asked about (an image), for the probe to ask again. */
  Outcome pause(ErrorClass error, String message, String operation, Optional<String> subject) {
    metrics.accountFault(error.code());
    pause.faulted(error.code(), message, operation, subject);
    return paused(Optional.of(error.code()));
  }

  /** Neither the account nor the request is proven at fault: back after {@code delay}, without using an attempt. */
  Outcome unjudged(ErrorClass error, String message, java.time.Duration delay) {
    return Outcome.accountFault(Optional.of(error.code()), error.code() + " (" + message + "), and the DryRun that "
        + "tells the account's fault from the request's could not be made; trying again later", delay);
  }

  /** The message goes back until the next probe, without using an attempt. */
  Outcome paused(Optional<String> code) {
    Duration wait = pause.untilProbe();
    return Outcome.accountFault(code, pause.current().map(f -> f.code() + ": " + f.message())
        .orElse("account fault"), wait.isZero() ? Duration.ofSeconds(1) : wait);
  }
}
