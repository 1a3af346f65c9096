package io.launchworker.message;

import io.launchworker.request.LaunchShape;
import java.util.Objects;

/**
 * A shape EC2 refused with an answer that proves it launched nothing ({@code InsufficientInstanceCapacity} and
 * the like), so the launch moved on to the next shape.
 *
 * @param errorCode EC2's error code
 */
public record ShapeRefusal(LaunchShape shape, String errorCode) {
  public ShapeRefusal {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(errorCode, "errorCode");
  }

  /** {@code spot c5.large subnet-0123abcd: InsufficientInstanceCapacity}. */
  public String describe() {
    return shape.describe() + ": " + errorCode;
  }
}
