package io.launchworker.request;

import java.util.Objects;

/**
 * Reads a message body into a {@link LaunchRequest}, or a {@link Rejection} that names the field, the bad value
 * and what is allowed. Strict: unknown fields, duplicate keys, wrong JSON types and {@code null} are rejected,
 * nothing is coerced. Then the {@link LaunchPolicy} is applied to the values EC2 will get, configured
 * {@link LaunchDefaults} included. The default tags count towards the request's tag budget: EC2 gets them too.
 *
 * <p>Thread-safe: one instance is meant to be shared by all handler threads. Never throws for any body, never
 * blocks, and never puts {@code userData} content into a rejection message.
 */
public final class RequestReader {
  private final BodyParser parser = new BodyParser();
  private final RequestValidator validator;
  private final PolicyCheck policy;

  /** For a worker without defaults. */
  public RequestReader(LaunchPolicy policy) {
    this(policy, LaunchDefaults.none());
  }

  /** @param defaults the worker's {@code launcher.defaults}, which the mapper will add to each request */
  public RequestReader(LaunchPolicy policy, LaunchDefaults defaults) {
    this.policy = new PolicyCheck(Objects.requireNonNull(policy, "policy"),
        Objects.requireNonNull(defaults, "defaults"));
    this.validator = new RequestValidator(defaults);
  }

  public ReadResult read(String body) {
    LaunchRequest request;
    try {
      request = validator.validate(parser.parse(body));
    } catch (InvalidRequestException e) {
      return new ReadResult.Rejected(e.rejection());
    }
    try {
      policy.check(request);
      return new ReadResult.Accepted(request);
    } catch (InvalidRequestException e) {
      // The request is valid, only not allowed (today): its token and hash still identify an earlier launch.
      return new ReadResult.Rejected(e.rejection(), java.util.Optional.of(request));
    }
  }
}
