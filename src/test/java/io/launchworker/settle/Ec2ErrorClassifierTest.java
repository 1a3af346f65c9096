package io.launchworker.settle;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.settle.ErrorClass.Action;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

class Ec2ErrorClassifierTest {
  private final Ec2ErrorClassifier classifier = new Ec2ErrorClassifier();

  @ParameterizedTest(name = "{0} ({1}) -> {2} / {3}")
  @CsvSource({
      "RequestLimitExceeded, 503, RETRY, throttled",
      "Throttling, 400, RETRY, throttled",
      "ThrottlingException, 400, RETRY, throttled",
      "RequestThrottled, 400, RETRY, throttled",
      "InternalError, 500, RETRY, ec2_unavailable",
      "InternalFailure, 500, RETRY, ec2_unavailable",
      "ServiceUnavailable, 503, RETRY, ec2_unavailable",
      "Unavailable, 503, RETRY, ec2_unavailable",
      "SomethingNew, 502, RETRY, ec2_unavailable",
      "AuthFailure, 401, ACCOUNT_FAULT, account_fault",
      "RequestExpired, 400, ACCOUNT_FAULT, account_fault",
      "ExpiredToken, 400, ACCOUNT_FAULT, account_fault",
      "InvalidClientTokenId, 403, ACCOUNT_FAULT, account_fault",
      "SignatureDoesNotMatch, 403, ACCOUNT_FAULT, account_fault",
      "UnauthorizedOperation, 403, ACCOUNT_FAULT, account_fault",
      "Blocked, 403, ACCOUNT_FAULT, account_fault",
      "PendingVerification, 401, ACCOUNT_FAULT, account_fault",
      "OptInRequired, 401, ACCOUNT_FAULT, account_fault",
      "InvalidSubnetID.NotFound, 400, NOT_VISIBLE_YET, not_visible_yet",
      "InvalidGroup.NotFound, 400, NOT_VISIBLE_YET, not_visible_yet",
      "InsufficientInstanceCapacity, 500, RETRY_CAPACITY, insufficient_capacity",
      "InsufficientHostCapacity, 500, RETRY_CAPACITY, insufficient_capacity",
      "InsufficientReservedInstanceCapacity, 500, RETRY_CAPACITY, insufficient_capacity",
      "InsufficientCapacity, 500, RETRY_CAPACITY, insufficient_capacity",
      "InsufficientFreeAddressesInSubnet, 400, RETRY_CAPACITY, insufficient_capacity",
      "AddressLimitExceeded, 400, RETRY_QUOTA, quota_exceeded",
      "VolumeLimitExceeded, 400, RETRY_QUOTA, quota_exceeded",
      "InstanceLimitExceeded, 400, RETRY_QUOTA, quota_exceeded",
      "VcpuLimitExceeded, 400, RETRY_QUOTA, quota_exceeded",
      "MaxSpotInstanceCountExceeded, 400, RETRY_QUOTA, quota_exceeded",
      "IdempotentParameterMismatch, 400, PARAMETER_MISMATCH, parameter_mismatch",
      "IdempotentInstanceTerminated, 400, ALREADY_DONE, instance_terminated",
      "InvalidAMIID.NotFound, 400, REJECT, ec2:InvalidAMIID.NotFound",
      "InvalidAMIID.Malformed, 400, REJECT, ec2:InvalidAMIID.Malformed",
      "InvalidAMIID.Unavailable, 400, REJECT, ec2:InvalidAMIID.Unavailable",
      "InvalidAMIID.SomethingElse, 400, REJECT, ec2:InvalidAMIID.SomethingElse",
      "InvalidParameterValue, 400, REJECT, ec2:InvalidParameterValue",
      "InvalidParameterCombination, 400, REJECT, ec2:InvalidParameterCombination",
      "InvalidParameter, 400, REJECT, ec2:InvalidParameter",
      "MissingParameter, 400, REJECT, ec2:MissingParameter",
      "Unsupported, 400, REJECT, ec2:Unsupported",
      "UnsupportedOperation, 400, REJECT, ec2:UnsupportedOperation",
      "InvalidKeyPair.NotFound, 400, REJECT, ec2:InvalidKeyPair.NotFound",
      "InvalidLaunchTemplateId.NotFound, 400, REJECT, ec2:InvalidLaunchTemplateId.NotFound",
      "InvalidLaunchTemplateName.NotFoundException, 400, REJECT, ec2:InvalidLaunchTemplateName.NotFoundException",
      "InvalidLaunchTemplateId.VersionNotFound, 400, REJECT, ec2:InvalidLaunchTemplateId.VersionNotFound",
      "SomeUnknownClientError, 400, REJECT, ec2:other",
  })
  void everyErrorCodeHasAnExplicitDecision(String code, int status, Action action, String reason) {
    ErrorClass result = classifier.classify(ec2Error(code, status));

    assertThat(result.action()).isEqualTo(action);
    assertThat(result.reason()).isEqualTo(reason);
    assertThat(result.code()).isEqualTo(code);
  }

  @Test
  void anInstanceProfileEc2CannotSeeYetIsRetriedBrieflyBecauseIamIsEventuallyConsistent() {
    Ec2Exception propagating = (Ec2Exception) Ec2Exception.builder().statusCode(400)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidParameterValue").errorMessage(
            "Value (ci-runner) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name")
            .build()).build();

    ErrorClass result = classifier.classify(propagating);

    assertThat(result.action()).isEqualTo(Action.NOT_VISIBLE_YET);
    assertThat(result.reason()).isEqualTo("iam_propagation");
    assertThat(classifier.classify(ec2Error("InvalidParameterValue", 400)).action()).isEqualTo(Action.REJECT);
  }

  @Test
  void onlyFailuresThatMayComeAfterTheLaunchSayItMayHaveLaunched() {
    assertThat(classifier.classify(ec2Error("InternalError", 500)).mayHaveLaunched()).isTrue();
    assertThat(classifier.classify(ec2Error("Unavailable", 503)).mayHaveLaunched()).isTrue();
    assertThat(classifier.classify(Ec2Exception.builder().statusCode(502).build()).mayHaveLaunched()).isTrue();
    assertThat(classifier.classify(SdkClientException.create("read timed out")).mayHaveLaunched()).isTrue();
    assertThat(classifier.classify(new IllegalStateException("bug")).mayHaveLaunched()).isTrue();

    assertThat(classifier.classify(ec2Error("RequestLimitExceeded", 503)).mayHaveLaunched()).isFalse();
    assertThat(classifier.classify(ec2Error("InsufficientInstanceCapacity", 500)).mayHaveLaunched()).isFalse();
    assertThat(classifier.classify(ec2Error("UnauthorizedOperation", 403)).mayHaveLaunched()).isFalse();
    assertThat(classifier.classify(ec2Error("InvalidAMIID.NotFound", 400)).mayHaveLaunched()).isFalse();
    assertThat(classifier.classify(ec2Error("IdempotentParameterMismatch", 400)).mayHaveLaunched()).isFalse();
  }

  @Test
  void networkFailuresAreRetriedBecauseTheTokenMakesTryingAgainSafe() {
    ErrorClass result = classifier.classify(SdkClientException.create("Unable to execute HTTP request",
        new IOException("Connection reset")));

    assertThat(result.action()).isEqualTo(Action.RETRY);
    assertThat(result.reason()).isEqualTo("network_error");
  }

  @Test
  void aServiceErrorWithoutCodeIsDecidedByItsStatus() {
    Ec2Exception noCode500 = (Ec2Exception) Ec2Exception.builder().statusCode(500).build();
    Ec2Exception noCode400 = (Ec2Exception) Ec2Exception.builder().statusCode(400).build();

    assertThat(classifier.classify(noCode500).action()).isEqualTo(Action.RETRY);
    // No EC2 error document: a proxy answered, EC2 did not judge the request, so it is never rejected for it.
    assertThat(classifier.classify(noCode400).action()).isEqualTo(Action.RETRY);
  }

  @Test
  void anUnexpectedBugIsRetriedNotRejectedSoNoGoodRequestIsDropped() {
    assertThat(classifier.classify(new NullPointerException()).action()).isEqualTo(Action.RETRY);
  }

  static Ec2Exception ec2Error(String code, int status) {
    return (Ec2Exception) Ec2Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("msg for " + code).build()).build();
  }
}
