package io.launchworker.settle;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sqs.model.InvalidAddressException;
import software.amazon.awssdk.services.sqs.model.InvalidSecurityException;
import software.amazon.awssdk.services.sqs.model.KmsAccessDeniedException;
import software.amazon.awssdk.services.sqs.model.KmsDisabledException;
import software.amazon.awssdk.services.sqs.model.KmsInvalidKeyUsageException;
import software.amazon.awssdk.services.sqs.model.KmsInvalidStateException;
import software.amazon.awssdk.services.sqs.model.KmsNotFoundException;
import software.amazon.awssdk.services.sqs.model.KmsOptInRequiredException;
import software.amazon.awssdk.services.sqs.model.KmsThrottledException;
import software.amazon.awssdk.services.sqs.model.OverLimitException;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The DLQ did not take a message. {@link #refused()} says whether SQS refused this message itself, so sending
 * it again as it is cannot help; otherwise the failure is the DLQ's (an outage, throttling, its configuration)
 * and will end. Immutable.
 */
final class DeadLetterSendException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean refused;

  DeadLetterSendException(RuntimeException cause) {
    super(cause.toString(), cause);
    this.refused = refusesTheMessage(cause);
  }

  boolean refused() {
    return refused;
  }

  /** A 4xx that is about the message (its contents, size, attributes), not about the queue or the account. */
  static boolean refusesTheMessage(RuntimeException e) {
    if (!(e instanceof AwsServiceException aws)) {
      return false; // no answer (network, timeout): the DLQ may be back on the next attempt
    }
    if (aws.statusCode() < 400 || aws.statusCode() >= 500) {
      return false; // SQS's own trouble
    }
    if (aws.isThrottlingException() || aws instanceof OverLimitException) {
      return false; // too fast or too many, not too bad
    }
    if (aws.statusCode() == 403 || aws instanceof InvalidSecurityException) {
      return false; // credentials or policy: an account fault, every message would fail alike
    }
    if (aws instanceof QueueDoesNotExistException || aws instanceof InvalidAddressException
        || "AWS.SimpleQueueService.NonExistentQueue".equals(errorCode(aws))) {
      return false; // the DLQ is missing or misnamed: fixing the configuration must not find the backlog gone
    }
    if (aws instanceof KmsAccessDeniedException || aws instanceof KmsDisabledException
        || aws instanceof KmsInvalidKeyUsageException || aws instanceof KmsInvalidStateException
        || aws instanceof KmsNotFoundException || aws instanceof KmsOptInRequiredException
        || aws instanceof KmsThrottledException) {
      return false; // the DLQ's encryption key, not the message
    }
    return true;
  }

  private static String errorCode(AwsServiceException e) {
    return e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
  }
}
