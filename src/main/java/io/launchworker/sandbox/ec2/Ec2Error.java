package io.launchworker.sandbox.ec2;

/**
 * An EC2 error answer: code, HTTP status and message, thrown by actions and written by the dispatcher. A refusal
 * is the capacity saying no to a valid launch, counted apart from invalid requests.
 */
final class Ec2Error extends RuntimeException {
  private final String code;
  private final int httpStatus;
  private final boolean refusal;

  Ec2Error(String code, int httpStatus, String message) {
    this(code, httpStatus, message, false);
  }

  private Ec2Error(String code, int httpStatus, String message, boolean refusal) {
    super(message, null, false, false);
    this.code = code;
    this.httpStatus = httpStatus;
    this.refusal = refusal;
  }

  /** A capacity refusal: the request was valid, but nothing launched for lack of room. */
  static Ec2Error refusal(String code, int httpStatus, String message) {
    return new Ec2Error(code, httpStatus, message, true);
  }

  static Ec2Error badRequest(String code, String message) {
    return new Ec2Error(code, 400, message);
  }

  static Ec2Error invalidValue(String message) {
    return badRequest("InvalidParameterValue", message);
  }

  static Ec2Error missing(String parameter) {
    return badRequest("MissingParameter", "The request must contain the parameter " + parameter);
  }

  String code() {
    return code;
  }

  int httpStatus() {
    return httpStatus;
  }

  boolean refusal() {
    return refusal;
  }
}
