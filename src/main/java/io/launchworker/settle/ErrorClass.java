package io.launchworker.settle;

/**
 * What a failed EC2 call means for the message, as decided by {@link Ec2ErrorClassifier}.
 *
 * @param action what to do with the message
 * @param code the AWS error code, or the exception's simple name for client-side failures
 * @param reason closed-set reason code for metrics and the DLQ
 * @param mayHaveLaunched whether the call may have reached EC2 and launched although it failed (a lost answer, a
 *     5xx, a client-side failure mid-call): what the token launched must then be looked up before anything that
 *     assumes nothing launched (dead-lettering, another shape). False for answers that prove nothing launched.
 */
public record ErrorClass(Action action, String code, String reason, boolean mayHaveLaunched) {

  /** An EC2 answer that proves nothing launched. */
  public ErrorClass(Action action, String code, String reason) {
    this(action, code, reason, false);
  }

  /** EC2 throttled the call ({@code RequestLimitExceeded} and the like): it launched nothing and may be asked again. */
  public boolean throttled() {
    return "throttled".equals(reason);
  }

  /** The decision an error leads to. */
  public enum Action {
    /** Try again soon: exponential back-off from the base delay. */
    RETRY,
    /** Try again after the capacity delay (EC2 has no capacity for the type in that zone now). */
    RETRY_CAPACITY,
    /** Try again after the quota delay (account limits; needs instances to end or a quota raise). */
    RETRY_QUOTA,
    /**
     * The account, not the request, is at fault (credentials, IAM or SCP denial, opt-in, verification): every
     * request would fail the same way. Stop launching, keep the messages, probe until it clears.
     */
    ACCOUNT_FAULT,
    /**
     * A resource the request names is not visible (yet): security groups, subnets and instance profiles created
     * moments ago propagate within seconds. Retry a few times, then reject.
     */
    NOT_VISIBLE_YET,
    /** Permanent: the request can never succeed as it is. Dead-letter it. */
    REJECT,
    /** The token was used with other parameters: look up what it launched. */
    PARAMETER_MISMATCH,
    /** The token's instances were launched and have since been terminated: the request was fulfilled. */
    ALREADY_DONE;

    public boolean isRetry() {
      return this == RETRY || this == RETRY_CAPACITY || this == RETRY_QUOTA;
    }
  }
}
