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

  /** The body is malformed, invalid or not allowed; retrying it cannot help. */
  record Rejected(Rejection rejection) implements ReadResult {
    public Rejected {
      Objects.requireNonNull(rejection, "rejection");
    }
  }
}
