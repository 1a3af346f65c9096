package io.launchworker.launch;

import io.launchworker.settle.Ec2ErrorClassifier;
import io.launchworker.settle.ErrorClass;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Asks EC2, without a message, whether an account fault has cleared: a DryRun of a launch EC2 allowed lately when
 * RunInstances was refused, a DescribeInstances when a look-up was. Runs on the {@code worker-scheduler} thread once
 * a second; it asks only when {@link AccountFaultPause#quietProbeDue()} says a probe is due, and takes a token of
 * the matching EC2 budget first. Thread-safe (stateless apart from its collaborators).
 */
public final class PauseProbe implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(PauseProbe.class);
  /** A token no launch carries: a look-up of it costs one Describe call and finds nothing. */
  static final String PROBE_TOKEN = "launch-worker-pause-probe";

  private final AccountFaultPause pause;
  private final Ec2Port ec2;
  private final Ec2Budget budget;
  private final KnownGoodLaunch knownGood;
  private final Ec2ErrorClassifier classifier;
  private final BooleanSupplier stopping;

  public PauseProbe(AccountFaultPause pause, Ec2Port ec2, Ec2Budget budget, KnownGoodLaunch knownGood,
      Ec2ErrorClassifier classifier, BooleanSupplier stopping) {
    this.pause = pause;
    this.ec2 = ec2;
    this.budget = budget;
    this.knownGood = knownGood;
    this.classifier = classifier;
    this.stopping = stopping;
  }

  /**
   * Denied quiet probes after which an {@code UnauthorizedOperation} known only from launches of one instance type
   * falls back to probing with a message: IAM may deny exactly that type, and a DryRun of it would never pass. With
   * the default back-off (5 s doubling to 2 min) that is after about half an hour: an account-wide denial (an SCP),
   * the common case, is probed without receiving for that long, and a denial of that one type cannot stall the
   * worker for ever.
   */
  static final int QUIET_PROBES_OF_ONE_TYPE = 20;

  /**
   * Whether {@code fault} can be probed without a message: a Describe call's fault by the same call; a launch's
   * credential fault or {@code UnauthorizedOperation} by a DryRun of a known launch. Other launch faults (an account
   * blocked, not verified, not opted in) are not permission checks a DryRun is known to answer: one message per
   * back-off probes them, and the worker dead-letters it itself at the queue's receive limit.
   */
  public static boolean quiet(AccountFaultPause.Fault fault, KnownGoodLaunch knownGood) {
    if (!AccountFaultPause.RUN_INSTANCES.equals(fault.operation())) {
      return true;
    }
    if (knownGood.dryRun().isEmpty()) {
      return false;
    }
    if (AccountFaults.CREDENTIAL_CODES.contains(fault.code())) {
      return true;
    }
    return AccountFaults.UNAUTHORIZED.equals(fault.code())
        && (knownGood.knowsSeveralTypes() || fault.probes() < QUIET_PROBES_OF_ONE_TYPE);
  }


  @Override
  public void run() {
    Optional<AccountFaultPause.Fault> due = pause.quietProbeDue();
    if (due.isEmpty()) {
      return;
    }
    AccountFaultPause.Fault fault = due.get();
    Optional<RunInstancesRequest> dryRun = AccountFaultPause.RUN_INSTANCES.equals(fault.operation())
        ? knownGood.dryRun() : Optional.empty();
    // A DescribeImages fault is asked of DescribeImages (of a known launch's image), not of another call.
    Optional<String> image = "DescribeImages".equals(fault.operation())
        ? fault.subject().or(() -> knownGood.dryRun().map(RunInstancesRequest::imageId)) : Optional.empty();
    String operation = dryRun.isPresent() ? AccountFaultPause.RUN_INSTANCES
        : image.isPresent() ? "DescribeImages" : "DescribeInstances";
    try {
      if (!(dryRun.isPresent() ? budget.runInstances() : budget.describe()).acquire(stopping)) {
        return;
      }
      if (dryRun.isPresent()) {
        if (!ec2.dryRunAllowed(dryRun.get())) {
          pause.faulted("UnauthorizedOperation", "a DryRun of a launch EC2 allowed before is denied now", operation);
          return;
        }
      } else if (image.isPresent()) {
        ec2.rootDeviceName(image.get());
      } else {
        ec2.findByToken(PROBE_TOKEN, Ec2Port.TokenFilter.TAG);
      }
      log.info("probe of the account fault ({}) passed: {} answered", fault.code(), operation);
      pause.probePassed();
    } catch (RuntimeException e) {
      ErrorClass error = classifier.classify(e);
      if (error.action() == ErrorClass.Action.ACCOUNT_FAULT) {
        pause.faulted(error.code(), String.valueOf(e.getMessage()), operation);
      } else {
        // Throttling or an outage says nothing of the fault: keep the pause, ask again after the back-off.
        log.debug("probe of the account fault failed other than by an account fault: {}", e.toString());
      }
    }
  }
}
