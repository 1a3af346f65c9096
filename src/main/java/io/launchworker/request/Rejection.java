package io.launchworker.request;

import java.util.Objects;

/**
 * Why a launch request will never be launched: a reason code from a closed set (safe as a metric tag and
 * stable for scripts reading the DLQ) plus a human message that says what was wrong and where.
 */
public record Rejection(String reason, String message) {
  public Rejection {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  public static Rejection of(RejectReason reason, String message) {
    return new Rejection(reason.code(), message);
  }
}
