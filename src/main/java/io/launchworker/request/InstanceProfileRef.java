package io.launchworker.request;

import java.util.Objects;
import java.util.Optional;

/**
 * An IAM instance profile named by exactly one of {@code arn} or {@code name}. Immutable and thread-safe.
 *
 * @param arn the profile ARN, or empty when {@code name} is used
 * @param name the profile name, or empty when {@code arn} is used
 */
public record InstanceProfileRef(Optional<String> arn, Optional<String> name) {
  public InstanceProfileRef {
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(name, "name");
  }
}
