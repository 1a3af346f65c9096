package io.launchworker.settle;

import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * The one table that decides what each EC2 error means: retry, reject, or already done. Every code named here
 * has a test. Stateless and thread-safe.
 */
public final class Ec2ErrorClassifier {

  /** Codes with a fixed meaning; anything else is decided by its HTTP status. */
  private static final Map<String, ErrorClass.Action> BY_CODE = Map.ofEntries(
      // EC2 asks us to slow down.
      Map.entry("RequestLimitExceeded", ErrorClass.Action.RETRY),
      Map.entry("Throttling", ErrorClass.Action.RETRY),
      Map.entry("ThrottlingException", ErrorClass.Action.RETRY),
      Map.entry("RequestThrottled", ErrorClass.Action.RETRY),
      // EC2 had a problem of its own.
      Map.entry("InternalError", ErrorClass.Action.RETRY),
      Map.entry("InternalFailure", ErrorClass.Action.RETRY),
      Map.entry("ServiceUnavailable", ErrorClass.Action.RETRY),
      Map.entry("Unavailable", ErrorClass.Action.RETRY),
      // The account is at fault, not the request: credentials wrong or stale, an IAM or SCP change denies
      // RunInstances, the account is blocked, not yet verified, or not opted in to the region. Every request would
      // fail the same way, so none is dead-lettered: the worker pauses and probes.
      Map.entry("AuthFailure", ErrorClass.Action.ACCOUNT_FAULT),
      Map.entry("RequestExpired", ErrorClass.Action.ACCOUNT_FAULT),
      Map.entry("ExpiredToken", ErrorClass.Action.ACCOUNT_FAULT),
      Map.entry("InvalidClientTokenId", ErrorClass.Action.ACCOUNT_FAULT),
      Map.entry("SignatureDoesNotMatch", ErrorClass.Action.ACCOUNT_FAULT),
      Map.entry("UnauthorizedOperation", ErrorClass.Action.ACCOUNT_FAULT),
      Map.entry("Blocked", ErrorClass.Action.ACCOUNT_FAULT),
      Map.entry("PendingVerification", ErrorClass.Action.ACCOUNT_FAULT),
      Map.entry("OptInRequired", ErrorClass.Action.ACCOUNT_FAULT),
      // Resources created moments ago become visible within seconds (EC2 and IAM are eventually consistent).
      Map.entry("InvalidSubnetID.NotFound", ErrorClass.Action.NOT_VISIBLE_YET),
      Map.entry("InvalidGroup.NotFound", ErrorClass.Action.NOT_VISIBLE_YET),
      // Capacity comes back, slowly.
      Map.entry("InsufficientInstanceCapacity", ErrorClass.Action.RETRY_CAPACITY),
      Map.entry("InsufficientHostCapacity", ErrorClass.Action.RETRY_CAPACITY),
      Map.entry("InsufficientReservedInstanceCapacity", ErrorClass.Action.RETRY_CAPACITY),
      Map.entry("InsufficientCapacity", ErrorClass.Action.RETRY_CAPACITY),
      Map.entry("InsufficientFreeAddressesInSubnet", ErrorClass.Action.RETRY_CAPACITY),
      // Spot's market price is above the request's spotMaxPrice; it moves, so a later attempt may launch.
      Map.entry("SpotMaxPriceTooLow", ErrorClass.Action.RETRY_CAPACITY),
      // Account quotas: instances must end or the quota be raised.
      Map.entry("InstanceLimitExceeded", ErrorClass.Action.RETRY_QUOTA),
      Map.entry("VcpuLimitExceeded", ErrorClass.Action.RETRY_QUOTA),
      Map.entry("MaxSpotInstanceCountExceeded", ErrorClass.Action.RETRY_QUOTA),
      Map.entry("AddressLimitExceeded", ErrorClass.Action.RETRY_QUOTA),
      Map.entry("VolumeLimitExceeded", ErrorClass.Action.RETRY_QUOTA),
      // Idempotency answers.
      Map.entry("IdempotentParameterMismatch", ErrorClass.Action.PARAMETER_MISMATCH),
      Map.entry("IdempotentInstanceTerminated", ErrorClass.Action.ALREADY_DONE),
      // The request itself can never work.
      Map.entry("InvalidAMIID.NotFound", ErrorClass.Action.REJECT),
      Map.entry("InvalidAMIID.Malformed", ErrorClass.Action.REJECT),
      Map.entry("InvalidAMIID.Unavailable", ErrorClass.Action.REJECT),
      Map.entry("InvalidParameterValue", ErrorClass.Action.REJECT),
      Map.entry("InvalidParameterCombination", ErrorClass.Action.REJECT),
      Map.entry("InvalidParameter", ErrorClass.Action.REJECT),
      Map.entry("MissingParameter", ErrorClass.Action.REJECT),
      Map.entry("Unsupported", ErrorClass.Action.REJECT),
      Map.entry("UnsupportedOperation", ErrorClass.Action.REJECT),
      Map.entry("InvalidKeyPair.NotFound", ErrorClass.Action.REJECT),
      Map.entry("InvalidLaunchTemplateId.NotFound", ErrorClass.Action.REJECT),
      Map.entry("InvalidLaunchTemplateName.NotFoundException", ErrorClass.Action.REJECT),
      Map.entry("InvalidLaunchTemplateId.VersionNotFound", ErrorClass.Action.REJECT));

  /** Reason codes for the retry families; rejections use {@code ec2:<code>}. */
  private static final Set<String> THROTTLING =
      Set.of("RequestLimitExceeded", "Throttling", "ThrottlingException", "RequestThrottled");

  /** The EC2 error codes that are the account's fault (they pause launching), for meters that exist from the start. */
  public Set<String> accountFaultCodes() {
    return BY_CODE.entrySet().stream().filter(e -> e.getValue() == ErrorClass.Action.ACCOUNT_FAULT)
        .map(Map.Entry::getKey).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
  }

  public ErrorClass classify(Throwable error) {
    if (error instanceof AwsServiceException service && service.awsErrorDetails() != null
        && service.awsErrorDetails().errorCode() != null) {
      String code = service.awsErrorDetails().errorCode();
      if (isInstanceProfilePropagation(code, service.awsErrorDetails().errorMessage())) {
        return new ErrorClass(ErrorClass.Action.NOT_VISIBLE_YET, code, "iam_propagation");
      }
      return classifyCode(code, service.statusCode());
    }
    if (error instanceof AwsServiceException service) {
      return withoutCode(service.statusCode());
    }
    if (error instanceof SdkClientException || error instanceof java.io.IOException
        || error instanceof java.io.UncheckedIOException) {
      // Timeouts, resets, refused connections: the call may or may not have reached EC2; the token makes
      // trying again safe.
      return new ErrorClass(ErrorClass.Action.RETRY, error.getClass().getSimpleName(), "network_error", true);
    }
    if (error instanceof SdkException) {
      return new ErrorClass(ErrorClass.Action.RETRY, error.getClass().getSimpleName(), "sdk_error", true);
    }
    // A bug of ours: retrying is safe (the token guards the launch), rejecting could drop a good request.
    return new ErrorClass(ErrorClass.Action.RETRY, error.getClass().getSimpleName(), "internal_error", true);
  }

  /**
   * An answer with no EC2 error document (a proxy's or a firewall's HTML page): EC2 did not judge the request, so it
   * is never rejected for it. 401, 403 and 407 refuse the caller (an expired proxy login, a firewall rule): the
   * account's side, a pause. Anything else is retried; the call may have reached EC2, so it may have launched.
   */
  private static ErrorClass withoutCode(int status) {
    String code = "http-" + status;
    if (status == 401 || status == 403 || status == 407) {
      return new ErrorClass(ErrorClass.Action.ACCOUNT_FAULT, code, "account_fault");
    }
    return new ErrorClass(ErrorClass.Action.RETRY, code, "ec2_unavailable", true);
  }

  /**
   * An instance profile created moments ago is not yet visible to EC2 ("Value (...) for parameter
   * iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"): IAM is eventually consistent and the
   * same request succeeds seconds later, so it is retried a few times before it is rejected.
   */
  private static boolean isInstanceProfilePropagation(String code, String message) {
    return "InvalidParameterValue".equals(code) && message != null
        && message.toLowerCase(java.util.Locale.ROOT).contains("iaminstanceprofile");
  }

  /**
   * What an EC2 error code means on its own, as if EC2 had answered it with {@code httpStatus}; a null code (an
   * answer that named none) is decided by the status, as {@link #classify} does.
   */
  public ErrorClass classifyCode(String code, int httpStatus) {
    if (code == null) {
      return withoutCode(httpStatus); // Map.ofEntries(...).get(null) throws
    }
    ErrorClass.Action action = BY_CODE.get(code);
    if (action == null && code.startsWith("InvalidAMIID.")) {
      action = ErrorClass.Action.REJECT;
    }
    if (action == null) {
      return byStatus(code, httpStatus);
    }
    // EC2's own failures (InternalError, Unavailable) may come after the launch; throttling comes before any.
    boolean mayHaveLaunched = action == ErrorClass.Action.RETRY && !THROTTLING.contains(code);
    return new ErrorClass(action, code, reasonFor(action, code), mayHaveLaunched);
  }

  private static ErrorClass byStatus(String code, int httpStatus) {
    if (httpStatus >= 500 || httpStatus == 429) {
      return new ErrorClass(ErrorClass.Action.RETRY, code, "ec2_unavailable", true);
    }
    // An unknown 4xx: the request is at fault as far as EC2 is concerned.
    return new ErrorClass(ErrorClass.Action.REJECT, code, "ec2:other");
  }

  private static String reasonFor(ErrorClass.Action action, String code) {
    return switch (action) {
      case RETRY -> THROTTLING.contains(code) ? "throttled" : "ec2_unavailable";
      case ACCOUNT_FAULT -> "account_fault";
      case NOT_VISIBLE_YET -> "not_visible_yet";
      case RETRY_CAPACITY -> "insufficient_capacity";
      case RETRY_QUOTA -> "quota_exceeded";
      case REJECT -> "ec2:" + code;
      case PARAMETER_MISMATCH -> "parameter_mismatch";
      case ALREADY_DONE -> "instance_terminated";
    };
  }
}
