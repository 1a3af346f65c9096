package io.launchworker.sandbox.ec2;

/**
 * An EC2 error answer: code, HTTP status and message, thrown by actions and written by the dispatcher. A refusal
 * is the capacity saying no to a valid launch, a denial is IAM saying no to the caller; both are counted apart
 * from invalid requests.
 */
final class Ec2Error extends RuntimeException {
  /** Why the request was answered with an error, for the stats. */
  enum Kind { ERROR, REFUSAL, DENIAL }

  private final String code;
  private final int httpStatus;
  private final Kind kind;

  Ec2Error(String code, int httpStatus, String message) {
    this(code, httpStatus, message, Kind.ERROR);
  }

  private Ec2Error(String code, int httpStatus, String message, Kind kind) {
    super(message, null, false, false);
    this.code = code;
    this.httpStatus = httpStatus;
    this.kind = kind;
  }

  /** A capacity refusal: the request was valid, but nothing launched for lack of room. */
  static Ec2Error refusal(String code, int httpStatus, String message) {
    return new Ec2Error(code, httpStatus, message, Kind.REFUSAL);
  }

  /** A permission denial: the caller may not make this request (an IAM policy, an account fault). */
  static Ec2Error denial(String code, int httpStatus, String message) {
    return new Ec2Error(code, httpStatus, message, Kind.DENIAL);
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
    return kind == Kind.REFUSAL;
  }

  boolean denial() {
    return kind == Kind.DENIAL;
  }
}
