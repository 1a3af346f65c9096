package io.launchworker.config;

import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Reads what an AWS answer says about a failure without assuming it said anything. A body that is not the
 * service's error document (a proxy's {@code 502 <html>Bad Gateway</html>}, an emulator's plain-text 500 for a
 * filter it does not implement) gives an {@link AwsServiceException} whose error code is null, and the sets and
 * maps the codes are looked up in ({@code Set.of}, {@code Map.of}) throw on null. Stateless and thread-safe.
 */
public final class AwsErrors {
  private AwsErrors() {}

  /** The error code AWS answered with; empty when the failure is no service answer or the answer named none. */
  public static Optional<String> code(Throwable failure) {
    return failure instanceof AwsServiceException service
        ? Optional.ofNullable(service.awsErrorDetails()).map(AwsErrorDetails::errorCode)
        : Optional.empty();
  }

  /** The error code, else {@code HTTP <status>}: for messages, never null. */
  public static String codeOrStatus(AwsServiceException failure) {
    return code(failure).orElse("HTTP " + failure.statusCode());
  }

  /** The service's error message, else the exception's own (which the SDK fills in from the status). */
  public static String message(AwsServiceException failure) {
    return Optional.ofNullable(failure.awsErrorDetails()).map(AwsErrorDetails::errorMessage)
        .orElseGet(failure::getMessage);
  }
}
