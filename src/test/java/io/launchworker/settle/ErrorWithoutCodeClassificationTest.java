package io.launchworker.settle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/** Issue 17 item 7, the classifier's side: an answer without EC2's error document is never the request's fault. */
class ErrorWithoutCodeClassificationTest {
  /** A proxy's or WAF's HTML 4xx (no EC2 error document) on RunInstances is taken as the request's fault. */
  @ParameterizedTest
  @ValueSource(ints = {400, 403, 404, 407})
  void aCodelessProxy4xxIsNotARequestRejection(int status) {
    Ec2Exception html = (Ec2Exception) Ec2Exception.builder().statusCode(status)
        .message("<html>blocked</html>").build();
    ErrorClass error = new Ec2ErrorClassifier().classify(html);
    assertThat(error.action()).as(error.toString()).isNotEqualTo(ErrorClass.Action.REJECT);
    assertThat(error.action()).isEqualTo(status == 400 || status == 404 ? ErrorClass.Action.RETRY
        : ErrorClass.Action.ACCOUNT_FAULT);
  }
}
