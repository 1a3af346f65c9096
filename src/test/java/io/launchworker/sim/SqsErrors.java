package io.launchworker.sim;

import java.net.SocketTimeoutException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.model.BatchEntryIdsNotDistinctException;
import software.amazon.awssdk.services.sqs.model.EmptyBatchRequestException;
import software.amazon.awssdk.services.sqs.model.InvalidMessageContentsException;
import software.amazon.awssdk.services.sqs.model.MessageNotInflightException;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.SqsException;
import software.amazon.awssdk.services.sqs.model.TooManyEntriesInBatchRequestException;

/**
 * The exceptions {@link SimSqs} throws, built as the SDK builds them from SQS's answers: the modelled subclass where
 * the SDK has one, with the HTTP status and the error code in {@code awsErrorDetails}. Stateless.
 */
final class SqsErrors {
  static final String RECEIPT_HANDLE_IS_INVALID = "ReceiptHandleIsInvalid";
  static final String MESSAGE_NOT_INFLIGHT = "MessageNotInflight";
  static final String INVALID_PARAMETER_VALUE = "InvalidParameterValue";
  static final String INTERNAL_ERROR = "InternalError";

  private SqsErrors() {}

  static SqsException internalError() {
    return build(SqsException.builder(), 500, INTERNAL_ERROR, "We encountered an internal error. Please try again.");
  }

  static SdkClientException lostAnswer() {
    return SdkClientException.builder().message("Unable to execute HTTP request: Read timed out")
        .cause(new SocketTimeoutException("Read timed out")).build();
  }

  static SqsException receiptHandleIsInvalid(String handle) {
    return build(ReceiptHandleIsInvalidException.builder(), 400, RECEIPT_HANDLE_IS_INVALID,
        "The input receipt handle \"" + handle + "\" is not a valid receipt handle.");
  }

  static SqsException messageNotInflight() {
    return build(MessageNotInflightException.builder(), 400, MESSAGE_NOT_INFLIGHT,
        "The message referred to isn't in flight.");
  }

  static SqsException invalidParameter(String message) {
    return build(SqsException.builder(), 400, INVALID_PARAMETER_VALUE, message);
  }

  static SqsException invalidContents() {
    return build(InvalidMessageContentsException.builder(), 400, "InvalidMessageContents",
        "Invalid characters found. Valid characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | "
            + "#x10000 to #x10FFFF");
  }

  static SqsException noSuchQueue(String queue) {
    return build(QueueDoesNotExistException.builder(), 400, "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist: " + queue);
  }

  static SqsException tooManyEntries(int entries) {
    return build(TooManyEntriesInBatchRequestException.builder(), 400,
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "Maximum number of entries per request are 10. You have sent " + entries + ".");
  }

  static SqsException emptyBatch() {
    return build(EmptyBatchRequestException.builder(), 400, "AWS.SimpleQueueService.EmptyBatchRequest",
        "There should be at least one entry in the request.");
  }

  static SqsException idsNotDistinct(String id) {
    return build(BatchEntryIdsNotDistinctException.builder(), 400, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "Id " + id + " repeated.");
  }

  private static SqsException build(SqsException.Builder builder, int status, String code, String message) {
    return (SqsException) builder.statusCode(status).message(message).awsErrorDetails(AwsErrorDetails.builder()
        .errorCode(code).errorMessage(message).serviceName("Sqs").build()).build();
  }
}
