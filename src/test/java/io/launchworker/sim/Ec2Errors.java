package io.launchworker.sim;

import java.net.SocketTimeoutException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/**
 * The exceptions {@link SimEc2} throws, as the SDK builds them from EC2's error answers: an {@link Ec2Exception} with
 * the HTTP status and EC2's code and message in {@code awsErrorDetails}; a lost answer is the
 * {@link SdkClientException} of a read that timed out. Stateless.
 */
final class Ec2Errors {
  static final String DRY_RUN_OPERATION = "DryRunOperation";
  static final String UNAUTHORIZED = "UnauthorizedOperation";
  static final String AUTH_FAILURE = "AuthFailure";

  private Ec2Errors() {}

  static Ec2Exception error(int status, String code, String message) {
    return (Ec2Exception) Ec2Exception.builder().statusCode(status).message(message)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("Ec2").build())
        .build();
  }

  static Ec2Exception throttled() {
    return error(503, "RequestLimitExceeded", "Request limit exceeded.");
  }

  /** A server-side failure: {@code InternalError} (500) or {@code Unavailable} (503). */
  static Ec2Exception serverError(boolean unavailable) {
    return unavailable ? error(503, "Unavailable", "The server is overloaded and can't handle the request.")
        : error(500, "InternalError", "An internal error has occurred.");
  }

  static SdkClientException lostAnswer() {
    return SdkClientException.builder().message("Unable to execute HTTP request: Read timed out")
        .cause(new SocketTimeoutException("Read timed out")).build();
  }

  static Ec2Exception dryRunOperation() {
    return error(412, DRY_RUN_OPERATION, "Request would have succeeded, but DryRun flag is set.");
  }

  static Ec2Exception unauthorized() {
    return error(403, UNAUTHORIZED, "You are not authorized to perform this operation. Encoded authorization "
        + "failure message: simulated");
  }

  /** An account fault: {@code AuthFailure} is 401, the rest ({@code UnauthorizedOperation}, {@code Blocked}) 403. */
  static Ec2Exception accountFault(String code) {
    return code.equals(AUTH_FAILURE)
        ? error(401, code, "AWS was not able to validate the provided access credentials")
        : error(403, code, code.equals(UNAUTHORIZED) ? unauthorized().awsErrorDetails().errorMessage()
            : "Simulated account fault: " + code);
  }

  static Ec2Exception mismatch(String token) {
    return error(400, "IdempotentParameterMismatch", "The client token '" + token + "' was already used with "
        + "different parameters.");
  }

  static Ec2Exception terminated(String token) {
    return error(400, "IdempotentInstanceTerminated", "The instance launched with client token '" + token
        + "' has been terminated.");
  }

  static Ec2Exception imageNotFound(String imageId) {
    return error(400, "InvalidAMIID.NotFound", "The image id '[" + imageId + "]' does not exist");
  }

  /** A capacity refusal: {@code SpotMaxPriceTooLow} is the caller's (400), the rest EC2's (500). */
  static Ec2Exception capacity(String code, String instanceType, String where) {
    return error(code.equals("SpotMaxPriceTooLow") ? 400 : 500, code, code.equals("SpotMaxPriceTooLow")
        ? "Your Spot request price is lower than the minimum required Spot request fulfillment price."
        : "We currently do not have sufficient " + instanceType + " capacity in " + where + ".");
  }
}
