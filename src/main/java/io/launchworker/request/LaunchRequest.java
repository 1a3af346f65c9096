package io.launchworker.request;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One launch request as read from a message body: validated, with {@code minCount}/{@code maxCount} and the
 * template version defaulted, and nothing else filled in (configuration defaults are applied later, by
 * {@link RunInstancesMapper}). Immutable and thread-safe.
 *
 * <p>{@link #toString()} never shows {@code userData}, which may hold secrets: only its length.
 *
 * @param userData base64 exactly as sent; never logged
 * @param tags the request's own tags, in the order of the body; unmodifiable
 * @param clientToken the producer's idempotency token, overriding the message ID
 * @param requestId the producer's ID for tracing
 * @param instanceTypes {@code instanceTypes}: types in order of preference, instead of {@code instanceType}; empty
 *     when not given
 * @param subnetIds {@code subnetIds}: subnets in order of preference, instead of {@code subnetId}; empty when not
 *     given
 * @param market the markets to try; empty means {@link MarketChoice#DEFAULT}
 * @param spotMaxPrice the highest hourly price paid for Spot, as EC2 takes it (a decimal string in USD)
 * @param rootVolume the root volume's size, type and encryption
 */
public record LaunchRequest(
    Optional<String> imageId,
    Optional<LaunchTemplateRef> launchTemplate,
    Optional<String> instanceType,
    int minCount,
    int maxCount,
    Optional<String> subnetId,
    List<String> securityGroupIds,
    Optional<String> keyName,
    Optional<InstanceProfileRef> iamInstanceProfile,
    Optional<String> userData,
    Map<String, String> tags,
    Optional<String> clientToken,
    Optional<String> requestId,
    List<String> instanceTypes,
    List<String> subnetIds,
    Optional<MarketChoice> market,
    Optional<String> spotMaxPrice,
    Optional<RootVolume> rootVolume) {

  public LaunchRequest {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(launchTemplate, "launchTemplate");
    Objects.requireNonNull(instanceType, "instanceType");
    Objects.requireNonNull(subnetId, "subnetId");
    securityGroupIds = List.copyOf(securityGroupIds);
    Objects.requireNonNull(keyName, "keyName");
    Objects.requireNonNull(iamInstanceProfile, "iamInstanceProfile");
    Objects.requireNonNull(userData, "userData");
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    Objects.requireNonNull(clientToken, "clientToken");
    Objects.requireNonNull(requestId, "requestId");
    instanceTypes = List.copyOf(instanceTypes);
    subnetIds = List.copyOf(subnetIds);
    Objects.requireNonNull(market, "market");
    Objects.requireNonNull(spotMaxPrice, "spotMaxPrice");
    Objects.requireNonNull(rootVolume, "rootVolume");
  }

  /** A request with one instance type and one subnet at most, on-demand, with the image's own root volume. */
  public LaunchRequest(Optional<String> imageId, Optional<LaunchTemplateRef> launchTemplate,
      Optional<String> instanceType, int minCount, int maxCount, Optional<String> subnetId,
      List<String> securityGroupIds, Optional<String> keyName, Optional<InstanceProfileRef> iamInstanceProfile,
      Optional<String> userData, Map<String, String> tags, Optional<String> clientToken,
      Optional<String> requestId) {
    this(imageId, launchTemplate, instanceType, minCount, maxCount, subnetId, securityGroupIds, keyName,
        iamInstanceProfile, userData, tags, clientToken, requestId, List.of(), List.of(), Optional.empty(),
        Optional.empty(), Optional.empty());
  }

  /** The markets to try, in order: {@link #market()} or on-demand. */
  public MarketChoice marketChoice() {
    return market.orElse(MarketChoice.DEFAULT);
  }

  @Override
  public String toString() {
    return "LaunchRequest[imageId=" + imageId
        + ", launchTemplate=" + launchTemplate
        + ", instanceType=" + instanceType
        + ", minCount=" + minCount
        + ", maxCount=" + maxCount
        + ", subnetId=" + subnetId
        + ", securityGroupIds=" + securityGroupIds
        + ", keyName=" + keyName
        + ", iamInstanceProfile=" + iamInstanceProfile
        + ", userData=" + userData.map(u -> "<" + u.length() + " bytes redacted>").orElse("Optional.empty")
        + ", tags=" + tags
        + ", clientToken=" + clientToken
        + ", requestId=" + requestId
        + ", instanceTypes=" + instanceTypes
        + ", subnetIds=" + subnetIds
        + ", market=" + market
        + ", spotMaxPrice=" + spotMaxPrice
        + ", rootVolume=" + rootVolume
        + "]";
  }
}
