package io.launchworker.message;

/** The fate of one message. Names are public interface: they appear in logs, metrics and result events. */
public enum OutcomeKind {
  /** RunInstances launched the request's instances now. Message deleted. */
  LAUNCHED,
  /** The token's instances already existed (redelivery, lost answer, parameter drift). Message deleted. */
  ALREADY_LAUNCHED,
  /** Bad input, policy, token conflict, permanent EC2 error or too many attempts. Sent to the DLQ, deleted. */
  REJECTED,
  /** Transient failure. The message stays on the queue and comes back after a back-off. */
  RETRY,
  /** Older than {@code max-request-age} and never launched: sent to the DLQ with its age, deleted. */
  EXPIRED,
  /**
   * The hourly instance cap is binding: hidden until the cap has room, never dead-lettered for it (though SQS
   * counts the receive, like any other).
   */
  DEFERRED,
  /** Not attempted because the worker is stopping; made visible again at once. */
  RELEASED;

  /** Metric tag value. */
  /** Sent to the DLQ. */
  public boolean deadLettered() {
    return this == REJECTED || this == EXPIRED;
  }

  public String tag() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
