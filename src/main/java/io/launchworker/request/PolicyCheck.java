package io.launchworker.request;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Applies the configured {@link LaunchPolicy} to a valid request. Only fields the request itself sets are
 * checked: a launch template's AMI, and configuration defaults, are not seen here. Immutable and thread-safe.
 */
final class PolicyCheck {
  private final LaunchPolicy policy;
  private final List<Glob> instanceTypes;

  PolicyCheck(LaunchPolicy policy) {
    this.policy = policy;
    this.instanceTypes = policy.allowedInstanceTypes().stream().map(Glob::new).collect(Collectors.toList());
  }

  void check(LaunchRequest request) {
    Optional<String> image = request.imageId();
    if (image.isPresent() && !anyOrContains(policy.allowedImageIds(), image.get())) {
      throw notAllowed(RejectReason.IMAGE_NOT_ALLOWED, "imageId", image.get(), policy.allowedImageIds());
    }
    Optional<String> type = request.instanceType();
    if (type.isPresent() && !instanceTypes.isEmpty() && instanceTypes.stream().noneMatch(g -> g.matches(type.get()))) {
      throw notAllowed(RejectReason.INSTANCE_TYPE_NOT_ALLOWED, "instanceType", type.get(),
          policy.allowedInstanceTypes());
    }
    Optional<String> subnet = request.subnetId();
    if (subnet.isPresent() && !anyOrContains(policy.allowedSubnetIds(), subnet.get())) {
      throw notAllowed(RejectReason.SUBNET_NOT_ALLOWED, "subnetId", subnet.get(), policy.allowedSubnetIds());
    }
    if (request.maxCount() > policy.maxInstancesPerRequest()) {
      throw new InvalidRequestException(RejectReason.TOO_MANY_INSTANCES, "maxCount: " + request.maxCount()
          + " instances; allowed: at most " + policy.maxInstancesPerRequest() + " per request");
    }
  }

  private static boolean anyOrContains(List<String> allowed, String value) {
    return allowed.isEmpty() || allowed.contains(value);
  }

  private static InvalidRequestException notAllowed(RejectReason reason, String path, String value,
      List<String> allowed) {
    String shown = allowed.size() <= 10
        ? String.join(", ", allowed)
        : String.join(", ", allowed.subList(0, 10)) + " and " + (allowed.size() - 10) + " more";
    return new InvalidRequestException(reason, path + ": got " + Show.quote(value) + "; allowed: " + shown);
  }
}
