package io.launchworker.message;

/**
 * Message attribute names the worker writes and reads. Public interface: tools reading the DLQ and producers
 * redriving it rely on them.
 */
public final class MessageAttributes {
  /** Every name the worker writes starts so; the worker never copies such an attribute from a message. */
  public static final String PREFIX = "launch-worker-";
  /** The idempotency token of the request; read first on receipt, so a DLQ redrive cannot launch twice. */
  public static final String TOKEN = "launch-worker-token";
  /**
   * HMAC of the token and the body (see {@link TokenSignature}), written beside {@link #TOKEN} when the worker has
   * a key; a token attribute without a valid one is refused as {@code token_signature_invalid}.
   */
  public static final String TOKEN_SIGNATURE = "launch-worker-token-signature";
  /** Rejection reason code (closed set). */
  public static final String REASON = "launch-worker-reason";
  /** Human explanation of the rejection. */
  public static final String DETAIL = "launch-worker-detail";
  /** EC2 error code behind the rejection, when EC2 rejected it. */
  public static final String ERROR_CODE = "launch-worker-error-code";
  /** The source message's ID (a DLQ message, and a redriven one, has a new ID). */
  public static final String ORIGINAL_MESSAGE_ID = "launch-worker-original-message-id";
  /** Receives of the source message when it was dead-lettered. */
  public static final String RECEIVE_COUNT = "launch-worker-receive-count";

  private MessageAttributes() {}
}
