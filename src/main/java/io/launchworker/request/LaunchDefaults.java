package io.launchworker.request;

import java.util.Collection;
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
 * @param tags added to every instance; the request's own tags win on the same key. They take from the request's
 *     tag budget ({@link #tagsAddedTo}); configuration allows at most {@link LaunchTags#MAX_OTHER_TAGS}.
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

  /**
   * The instance type EC2 gets for a request: its own, else the default. A launch template request gets no
   * default, since a configured default would override the template's own. {@link RunInstancesMapper} sends this
   * and {@link PolicyCheck} checks this, so what is checked is what is sent.
   */
  public Optional<String> instanceTypeFor(LaunchRequest request) {
    return request.instanceType().or(() -> appliesTo(request) ? instanceType : Optional.empty());
  }

  /** The subnet EC2 gets for a request, as {@link #instanceTypeFor}. */
  public Optional<String> subnetIdFor(LaunchRequest request) {
    return request.subnetId().or(() -> appliesTo(request) ? subnetId : Optional.empty());
  }

  /** The security groups EC2 gets for a request, as {@link #instanceTypeFor}; empty when none is sent. */
  public List<String> securityGroupIdsFor(LaunchRequest request) {
    return !request.securityGroupIds().isEmpty() || !appliesTo(request) ? request.securityGroupIds()
        : securityGroupIds;
  }

  private static boolean appliesTo(LaunchRequest request) {
    return request.launchTemplate().isEmpty();
  }

  /**
   * How many default tags an instance gets on top of a request's tags with these keys: those whose key the
   * request does not set itself (its value wins there) and that are not the worker's own tags (which always
   * replace them). Keys compare exactly, as EC2's do.
   */
  public int tagsAddedTo(Collection<String> requestTagKeys) {
    int added = 0;
    for (String key : tags.keySet()) {
      if (!requestTagKeys.contains(key) && !isWorkerTag(key)) {
        added++;
      }
    }
    return added;
  }

  private static boolean isWorkerTag(String key) {
    return key.equals(LaunchTags.TOKEN) || key.equals(LaunchTags.MESSAGE_ID) || key.equals(LaunchTags.REQUEST_HASH);
  }

  public static LaunchDefaults none() {
    return new LaunchDefaults(Optional.empty(), Optional.empty(), List.of(), Map.of());
  }
}
