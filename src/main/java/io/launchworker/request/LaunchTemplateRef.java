package io.launchworker.request;

import java.util.Objects;
import java.util.Optional;

/**
 * A launch template named by exactly one of {@code id} or {@code name}, and the version to launch. The version is
 * passed to EC2 exactly as given and never resolved here, so the request stays a pure function of its body.
 * Immutable and thread-safe.
 *
 * @param id the template ID ({@code lt-...}), or empty when {@code name} is used
 * @param name the template name, or empty when {@code id} is used
 * @param version {@code $Default}, {@code $Latest} or a version number; {@code $Default} when the body had none
 */
public record LaunchTemplateRef(Optional<String> id, Optional<String> name, String version) {
  /** The version used when a request does not name one. */
  public static final String DEFAULT_VERSION = "$Default";

  public LaunchTemplateRef {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
  }
}
