package io.launchworker.request;

import java.util.Objects;

/**
 * What {@link RequestReader#read} made of a body: a request to launch, or the reason it never will be.
 * Immutable and thread-safe.
 */
public sealed interface ReadResult {

  /** The body is a valid request that the policy allows. */
  record Accepted(LaunchRequest request) implements ReadResult {
    public Accepted {
      Objects.requireNonNull(request, "request");
    }
  }

  /**
   * The body is malformed, invalid or not allowed; retrying it cannot help.
   *
   * @param request the valid request the policy refused; empty when the body itself is malformed or invalid
   */
  record Rejected(Rejection rejection, java.util.Optional<LaunchRequest> request) implements ReadResult {
    public Rejected {
      Objects.requireNonNull(rejection, "rejection");
      Objects.requireNonNull(request, "request");
    }

    public Rejected(Rejection rejection) {
      this(rejection, java.util.Optional.empty());
    }
  }
}
