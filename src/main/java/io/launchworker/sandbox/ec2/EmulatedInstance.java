package io.launchworker.sandbox.ec2;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of one instance held by the {@link Ec2Emulator}. Immutable; {@code clientToken} and
 * {@code imageId} may be null (no token sent; launched from a launch template without an image).
 */
public record EmulatedInstance(
    String instanceId,
    String reservationId,
    String clientToken,
    String imageId,
    String instanceType,
    String state,
    Map<String, String> tags,
    Instant launchTime) {

  public EmulatedInstance {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** True once the instance has been terminated. */
  public boolean terminated() {
    return "terminated".equals(state);
  }
}
