package io.launchworker.request;

import java.util.List;

/**
 * What requests may ask for, from configuration. An empty allow-list means "any".
 *
 * @param allowedImageIds exact AMI IDs
 * @param allowedInstanceTypes globs such as {@code t3.*} ({@code *} matches any run of characters, {@code ?} one)
 * @param allowedSubnetIds exact subnet IDs
 * @param maxInstancesPerRequest cap on {@code maxCount}
 * @param maxInstancesPerHour rolling cap on instances one worker launches per hour (enforced by the launch stage)
 */
public record LaunchPolicy(
    List<String> allowedImageIds,
    List<String> allowedInstanceTypes,
    List<String> allowedSubnetIds,
    int maxInstancesPerRequest,
    int maxInstancesPerHour) {

  public LaunchPolicy {
    allowedImageIds = List.copyOf(allowedImageIds);
    allowedInstanceTypes = List.copyOf(allowedInstanceTypes);
    allowedSubnetIds = List.copyOf(allowedSubnetIds);
    if (maxInstancesPerRequest < 1) {
      throw new IllegalArgumentException("maxInstancesPerRequest < 1: " + maxInstancesPerRequest);
    }
    if (maxInstancesPerHour < maxInstancesPerRequest) {
      throw new IllegalArgumentException("maxInstancesPerHour " + maxInstancesPerHour
          + " is below maxInstancesPerRequest " + maxInstancesPerRequest + ": no request could ever launch");
    }
  }

  /** No allow-lists, at most 10 instances per request, 1,000 per hour. */
  public static LaunchPolicy permissive() {
    return new LaunchPolicy(List.of(), List.of(), List.of(), 10, 1000);
  }
}
