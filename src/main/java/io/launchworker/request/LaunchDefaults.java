package io.launchworker.request;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * @param imds the instance metadata options sent with every launch, launch templates included
 * @param enforcedTags {@code launcher.tags.enforced}: added to every instance, its volumes and its network interfaces,
 *     launch templates included; unlike {@code tags} a request may not set their keys, in any case
 *     ({@link PolicyCheck} refuses it as {@link RejectReason#ENFORCED_TAG}), and they replace a default tag of the
 *     same key. They take from the request's tag budget too.
 */
public record LaunchDefaults(
    Optional<String> instanceType,
    Optional<String> subnetId,
    List<String> securityGroupIds,
    Map<String, String> tags,
    Imds imds,
    Map<String, String> enforcedTags) {

  public LaunchDefaults {
    Objects.requireNonNull(instanceType, "instanceType");
    Objects.requireNonNull(subnetId, "subnetId");
    securityGroupIds = List.copyOf(securityGroupIds);
    tags = Map.copyOf(tags);
    Objects.requireNonNull(imds, "imds");
    enforcedTags = Map.copyOf(enforcedTags);
  }

  /** No enforced tags. */
  public LaunchDefaults(Optional<String> instanceType, Optional<String> subnetId, List<String> securityGroupIds,
      Map<String, String> tags, Imds imds) {
    this(instanceType, subnetId, securityGroupIds, tags, imds, Map.of());
  }

  /** With the built-in metadata options, {@link Imds#DEFAULT}. */
  public LaunchDefaults(Optional<String> instanceType, Optional<String> subnetId, List<String> securityGroupIds,
      Map<String, String> tags) {
    this(instanceType, subnetId, securityGroupIds, tags, Imds.DEFAULT);
  }

  public LaunchDefaults withEnforcedTags(Map<String, String> enforced) {
    return new LaunchDefaults(instanceType, subnetId, securityGroupIds, tags, imds, enforced);
  }

  /**
   * The instance metadata service (IMDS) options every launch sends: the endpoint enabled, session tokens
   * (IMDSv2) required unless {@code v1Allowed}, and the hop limit of the token's PUT response. Sent with launch
   * templates too, so a template cannot switch IMDSv1 back on.
   *
   * @param v1Allowed {@code launcher.defaults.imds-v1 = allowed}: tokens optional, the only way back to IMDSv1
   * @param hopLimit {@code launcher.defaults.imds-hop-limit}, 1 to 64 (EC2's range)
   */
  public record Imds(boolean v1Allowed, int hopLimit) {
    /** EC2 accepts 1 to 64. */
    public static final int MAX_HOP_LIMIT = 64;
    /**
     * IMDSv2 only, hop limit 1: only processes on the instance itself reach the service; a container behind a
     * bridge network is one hop further and cannot fetch a token, so cannot take the instance role's credentials.
     */
    public static final Imds DEFAULT = new Imds(false, 1);

    public Imds {
      if (hopLimit < 1 || hopLimit > MAX_HOP_LIMIT) {
        throw new IllegalArgumentException("hopLimit outside 1.." + MAX_HOP_LIMIT + ": " + hopLimit);
      }
    }
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

  /**
   * The instance types a request's launch walks, in order: its {@code instanceTypes}, else the one of
   * {@link #instanceTypeFor}; empty when EC2 gets none (a template's own, or EC2's default).
   */
  public List<String> instanceTypesFor(LaunchRequest request) {
    return !request.instanceTypes().isEmpty() ? request.instanceTypes() : instanceTypeFor(request).stream().toList();
  }

  /** The subnets a request's launch walks, in order, as {@link #instanceTypesFor}. */
  public List<String> subnetIdsFor(LaunchRequest request) {
    return !request.subnetIds().isEmpty() ? request.subnetIds() : subnetIdFor(request).stream().toList();
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
   * How many configured tags an instance gets on top of a request's tags with these keys: every enforced tag, and
   * the default tags whose key the request does not set itself (its value wins there) and no enforced tag has;
   * never the worker's own tags (which always replace them). Keys compare exactly, as EC2's do.
   */
  public int tagsAddedTo(Collection<String> requestTagKeys) {
    int added = 0;
    for (String key : enforcedTags.keySet()) {
      if (!isWorkerTag(key)) {
        added++;
      }
    }
    for (String key : tags.keySet()) {
      if (!requestTagKeys.contains(key) && !enforcedTags.containsKey(key) && !isWorkerTag(key)) {
        added++;
      }
    }
    return added;
  }

  /** The enforced tag key a request's tag key names, compared ignoring case; empty when it names none. */
  public Optional<String> enforcedKeyMatching(String requestTagKey) {
    return enforcedTags.keySet().stream().filter(k -> k.equalsIgnoreCase(requestTagKey)).sorted().findFirst();
  }

  private static boolean isWorkerTag(String key) {
    return key.equals(LaunchTags.TOKEN) || key.equals(LaunchTags.MESSAGE_ID) || key.equals(LaunchTags.REQUEST_HASH);
  }

  public static LaunchDefaults none() {
    return new LaunchDefaults(Optional.empty(), Optional.empty(), List.of(), Map.of(), Imds.DEFAULT, Map.of());
  }
}
