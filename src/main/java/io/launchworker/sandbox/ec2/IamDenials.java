package io.launchworker.sandbox.ec2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What IAM refuses in an {@link Ec2Emulator}: account-wide denials of an action (a switch, on until lifted), and
 * RunInstances denials conditioned on the instance type and the image, as a policy's {@code ec2:InstanceType}
 * condition or image ARN would make them. Guarded by its owner, the {@link Ec2Faults}.
 */
final class IamDenials {
  /** Matches every action in an account-wide denial: expired credentials refuse every call. */
  static final String ANY_ACTION = "*";
  static final String UNAUTHORIZED = "UnauthorizedOperation";
  /** EC2's words, without the encoded authorization message that follows them on AWS. */
  static final String UNAUTHORIZED_MESSAGE = "You are not authorized to perform this operation.";
  /** The account faults EC2 answers with 401; the rest (UnauthorizedOperation, Blocked, …) come with 403. */
  private static final Set<String> UNAUTHENTICATED = Set.of("AuthFailure", "OptInRequired", "PendingVerification");
  private static final Map<String, String> MESSAGES = Map.of(
      UNAUTHORIZED, UNAUTHORIZED_MESSAGE,
      "AuthFailure", "AWS was not able to validate the provided access credentials",
      "OptInRequired", "You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe.",
      "PendingVerification", "Your account is currently being verified.",
      "Blocked", "Your account is currently blocked.");

  private final Map<String, Answer> accountWide = new HashMap<>();
  private final List<Condition> conditions = new ArrayList<>();

  /** The error an account-wide denial answers with. */
  private record Answer(String code, int httpStatus) {
    Ec2Error error() {
      return Ec2Error.denial(code, httpStatus, MESSAGES.getOrDefault(code, "Denied: " + code));
    }
  }

  /** A RunInstances condition; a null pattern matches anything, a launch without an image included. */
  private record Condition(Pattern instanceType, Pattern imageId) {
    boolean matches(LaunchSpec spec) {
      return matches(instanceType, spec.instanceType()) && matches(imageId, spec.imageId());
    }

    private static boolean matches(Pattern pattern, String value) {
      return pattern == null || value != null && pattern.matcher(value).matches();
    }
  }

  /** The HTTP status EC2 answers code with when it refuses a caller. */
  static int statusOf(String code) {
    return UNAUTHENTICATED.contains(code) ? 401 : 403;
  }

  void denyAll(String action, String code, int httpStatus) {
    accountWide.put(action, new Answer(code, httpStatus));
  }

  void denyRunInstances(String instanceType, String imageId) {
    conditions.add(new Condition(pattern(instanceType), pattern(imageId)));
  }

  void clear() {
    accountWide.clear();
    conditions.clear();
  }

  /** The denial of every call of action, if the account has one; one for the action beats one for every action. */
  Optional<Ec2Error> accountDenial(String action) {
    Answer answer = accountWide.containsKey(action) ? accountWide.get(action) : accountWide.get(ANY_ACTION);
    return Optional.ofNullable(answer).map(Answer::error);
  }

  /** UnauthorizedOperation when a condition matches spec's instance type and image. */
  Optional<Ec2Error> runInstancesDenial(LaunchSpec spec) {
    return conditions.stream().filter(c -> c.matches(spec)).findFirst()
        .map(c -> Ec2Error.denial(UNAUTHORIZED, statusOf(UNAUTHORIZED), UNAUTHORIZED_MESSAGE));
  }

  private static Pattern pattern(String glob) {
    return glob == null ? null : InstanceFilter.glob(glob);
  }
}
