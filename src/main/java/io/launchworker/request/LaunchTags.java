package io.launchworker.request;

/**
 * Tag keys the worker writes on every instance it launches, atomically with the launch through
 * {@code RunInstances TagSpecifications}. EC2 is the ledger: these tags are how a later attempt, an operator
 * or {@code audit} finds what a request launched.
 */
public final class LaunchTags {
  /** The idempotency token used as {@code ClientToken}. */
  public static final String TOKEN = "launch-worker:token";
  /** The SQS message ID of the attempt that launched the instance. */
  public static final String MESSAGE_ID = "launch-worker:message-id";
  /** Hash of the canonical launch request; tells a drifted retry from a token reused for another request. */
  public static final String REQUEST_HASH = "launch-worker:request-hash";
  /** Prefix reserved for the worker's own tags; requests may not set tags under it. */
  public static final String RESERVED_PREFIX = "launch-worker:";
  /**
   * EC2 allows 50 tags per resource and the worker always writes its own 3, so a request's tags and the
   * configured default tags it gets ({@link LaunchDefaults#tagsAddedTo}) may together be at most 47.
   */
  public static final int MAX_OTHER_TAGS = 50 - 3;

  private LaunchTags() {}
}
