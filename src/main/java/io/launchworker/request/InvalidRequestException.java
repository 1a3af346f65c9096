package io.launchworker.request;

/**
 * Thrown inside this package by the first failed check and turned into a {@link ReadResult.Rejected} at the edge,
 * so the checks read as straight-line code. No stack trace: it is an outcome, not a bug.
 */
final class InvalidRequestException extends RuntimeException {
  private final transient Rejection rejection;

  InvalidRequestException(RejectReason reason, String message) {
    super(message, null, false, false);
    this.rejection = Rejection.of(reason, message);
  }

  Rejection rejection() {
    return rejection;
  }
}
