package io.launchworker.settle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.model.KmsAccessDeniedException;
import software.amazon.awssdk.services.sqs.model.KmsThrottledException;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SqsException;

/** Which SQS answers refuse the message itself (give up at the last attempt) and which will pass (keep it). */
class DeadLetterSendExceptionTest {
  @ParameterizedTest(name = "{0} {1} -> refused {2}")
  @CsvSource({
      "400, InvalidParameterValue, true",
      "400, InvalidMessageContents, true",
      "400, InvalidAttributeValue, true",
      "400, InvalidAttributeName, true",
      "400, MalformedRequest, true",
      "400, ThrottlingException, false",
      "400, RequestThrottled, false",
      "429, TooManyRequests, false",
      "403, AccessDenied, false",
      "403, InvalidClientTokenId, false",
      "400, AWS.SimpleQueueService.NonExistentQueue, false",
      "500, InternalError, false",
      "503, ServiceUnavailable, false"})
  void anSqsAnswerIsARefusalOnlyWhenItIsAboutTheMessage(int status, String code, boolean refused) {
    assertThat(new DeadLetterSendException(error(SqsException.builder(), status, code)).refused())
        .isEqualTo(refused);
  }

  @Test
  void aMissingQueueOrItsKeyIsTheDlqsFaultNotTheMessages() {
    assertThat(DeadLetterSendException.refusesTheMessage(error(QueueDoesNotExistException.builder(), 400,
        "QueueDoesNotExist"))).isFalse();
    assertThat(DeadLetterSendException.refusesTheMessage(error(KmsAccessDeniedException.builder(), 400,
        "KmsAccessDenied"))).isFalse();
    assertThat(DeadLetterSendException.refusesTheMessage(error(KmsThrottledException.builder(), 400,
        "KmsThrottled"))).isFalse();
  }

  @Test
  void noAnswerAtAllIsNotARefusal() {
    assertThat(new DeadLetterSendException(SdkClientException.create("connect timed out")).refused()).isFalse();
  }

  private static AwsServiceException error(AwsServiceException.Builder builder, int status, String code) {
    return builder.statusCode(status).message(code).awsErrorDetails(AwsErrorDetails.builder().errorCode(code)
        .errorMessage(code).serviceName("Sqs").build()).build();
  }
}
