package io.launchworker.request;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Values from configuration used when a request leaves a field out. They take part in the
 * {@code RunInstancesRequest} but not in the request hash, so a redeploy that changes them makes EC2 answer
 * {@code IdempotentParameterMismatch} for an earlier attempt, which the worker then resolves as already launched.
 *
 * @param instanceType used when the request has no instanceType (and no launch template)
 * @param subnetId used when the request has no subnetId
 * @param securityGroupIds used when the request has none
 * @param tags added to every instance; the request's own tags win on the same key
 */
public record LaunchDefaults(
    Optional<String> instanceType,
    Optional<String> subnetId,
    List<String> securityGroupIds,
    Map<String, String> tags) {

  public LaunchDefaults {
    securityGroupIds = List.copyOf(securityGroupIds);
    tags = Map.copyOf(tags);
  }

  public static LaunchDefaults none() {
    return new LaunchDefaults(Optional.empty(), Optional.empty(), List.of(), Map.of());
  }
}
