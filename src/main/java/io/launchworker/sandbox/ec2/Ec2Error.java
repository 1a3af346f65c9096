package io.launchworker.sandbox.ec2;

/** An EC2 error answer: code, HTTP status and message, thrown by actions and written by the dispatcher. */
final class Ec2Error extends RuntimeException {
  private final String code;
  private final int httpStatus;

  Ec2Error(String code, int httpStatus, String message) {
    super(message, null, false, false);
    this.code = code;
    this.httpStatus = httpStatus;
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
}
