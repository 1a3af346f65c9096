package io.launchworker.request;

import java.util.ArrayList;
import java.util.List;

/**
 * What requests may ask for, from configuration. Every list is checked against the <em>effective</em> value: the
 * request's own, else the configured {@link LaunchDefaults} value. Every allow-list fails closed: an empty list
 * allows nothing, and {@value #ANY} is the explicit "any", which has to be written (a fresh install that forgot a list
 * must not launch whatever it is asked to). Immutable and thread-safe.
 *
 * <p>Globs: {@code *} matches any run of characters, {@code ?} one, all else is literal. The exact-ID lists (images,
 * subnets, security groups) take no globs: an entry {@value #ANY} allows any ID, every other entry one ID.
 *
 * <p>A list that does not allow everything is also a requirement where EC2 would fill in an unchecked value: a request
 * without a type, subnet or security group (and without a default or template) is refused rather than left to EC2's
 * default type, a default-VPC subnet or the VPC's default group.
 *
 * @param allowedImageIds exact AMI IDs, or {@value #ANY}
 * @param allowedInstanceTypes globs such as {@code t3.*}
 * @param allowedSubnetIds exact subnet IDs, or {@value #ANY}
 * @param maxInstancesPerRequest cap on {@code maxCount}
 * @param maxInstancesPerHour rolling cap on instances one worker launches per hour (enforced by the launch stage)
 * @param allowedLaunchTemplates globs matched against the template ID or name, whichever the request gives;
 *     empty refuses every template
 * @param allowedSecurityGroupIds exact group IDs, or {@value #ANY}; every group of a launch must be listed
 * @param allowedKeyNames globs on key pair names
 * @param allowedInstanceProfiles globs on instance profile names; an ARN (here or in a request) counts by its name,
 *     the part after the last {@code /}
 * @param allowedMarkets the markets launches may use; empty allows none. A request's {@code market} must use only
 *     listed ones ({@code spot-then-on-demand} needs both)
 * @param maxRootVolumeGib cap on a request's {@code rootVolume.sizeGiB}
 * @param maxShapes cap on the launch shapes one request may expand to (markets x instance types x subnets, as
 *     {@link LaunchShape#walk} counts them): each shape refused for capacity is one more RunInstances call
 * @param requireEncryptedVolumes a request's {@code rootVolume.encrypted: false} is refused; true unless configured
 * @param allowedTagKeys globs a request's own tag keys must match; empty means any key (the list is optional). The
 *     configured default and enforced tags are the operator's and are not checked
 */
public record LaunchPolicy(
    List<String> allowedImageIds,
    List<String> allowedInstanceTypes,
    List<String> allowedSubnetIds,
    int maxInstancesPerRequest,
    int maxInstancesPerHour,
    List<String> allowedLaunchTemplates,
    List<String> allowedSecurityGroupIds,
    List<String> allowedKeyNames,
    List<String> allowedInstanceProfiles,
    List<Market> allowedMarkets,
    int maxRootVolumeGib,
    int maxShapes,
    boolean requireEncryptedVolumes,
    List<String> allowedTagKeys) {

  /** The allow-list entry that allows any value; for the exact-ID lists the only wildcard. */
  public static final String ANY = "*";

  /** The default {@code max-root-volume-gib}: 1 TiB, far above any runner's disk, far below EC2's 16 TiB. */
  public static final int DEFAULT_MAX_ROOT_VOLUME_GIB = 1024;
  /**
   * The default {@code max-shapes}: 20 shapes (e.g. 5 types x 2 subnets x spot-then-on-demand, or 10 types in 2
   * zones) ride out a shortage; with no capacity anywhere they cost 20 RunInstances calls per receive, about 10 s of
   * an account's default refill of 2 a second, where the largest valid request ({@link LaunchShape#MOST_PER_REQUEST})
   * would cost 160 s.
   */
  public static final int DEFAULT_MAX_SHAPES = 20;

  public LaunchPolicy {
    allowedMarkets = List.copyOf(allowedMarkets);
    if (maxRootVolumeGib < 1) {
      throw new IllegalArgumentException("maxRootVolumeGib < 1: " + maxRootVolumeGib);
    }
    if (maxShapes < 1) {
      throw new IllegalArgumentException("maxShapes < 1: " + maxShapes);
    }
    allowedImageIds = List.copyOf(allowedImageIds);
    allowedInstanceTypes = List.copyOf(allowedInstanceTypes);
    allowedSubnetIds = List.copyOf(allowedSubnetIds);
    allowedLaunchTemplates = List.copyOf(allowedLaunchTemplates);
    allowedSecurityGroupIds = List.copyOf(allowedSecurityGroupIds);
    allowedKeyNames = List.copyOf(allowedKeyNames);
    allowedInstanceProfiles = List.copyOf(allowedInstanceProfiles);
    allowedTagKeys = List.copyOf(allowedTagKeys);
    if (maxInstancesPerRequest < 1) {
      throw new IllegalArgumentException("maxInstancesPerRequest < 1: " + maxInstancesPerRequest);
    }
    if (maxInstancesPerHour < maxInstancesPerRequest) {
      throw new IllegalArgumentException("maxInstancesPerHour " + maxInstancesPerHour
          + " is below maxInstancesPerRequest " + maxInstancesPerRequest + ": no request could ever launch");
    }
  }

  /** Encrypted volumes required, any tag key. */
  public LaunchPolicy(List<String> allowedImageIds, List<String> allowedInstanceTypes, List<String> allowedSubnetIds,
      int maxInstancesPerRequest, int maxInstancesPerHour, List<String> allowedLaunchTemplates,
      List<String> allowedSecurityGroupIds, List<String> allowedKeyNames, List<String> allowedInstanceProfiles,
      List<Market> allowedMarkets, int maxRootVolumeGib, int maxShapes) {
    this(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest, maxInstancesPerHour,
        allowedLaunchTemplates, allowedSecurityGroupIds, allowedKeyNames, allowedInstanceProfiles, allowedMarkets,
        maxRootVolumeGib, maxShapes, true, List.of());
  }

  /** At most {@link #DEFAULT_MAX_SHAPES} shapes a request. */
  public LaunchPolicy(List<String> allowedImageIds, List<String> allowedInstanceTypes, List<String> allowedSubnetIds,
      int maxInstancesPerRequest, int maxInstancesPerHour, List<String> allowedLaunchTemplates,
      List<String> allowedSecurityGroupIds, List<String> allowedKeyNames, List<String> allowedInstanceProfiles,
      List<Market> allowedMarkets, int maxRootVolumeGib) {
    this(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest, maxInstancesPerHour,
        allowedLaunchTemplates, allowedSecurityGroupIds, allowedKeyNames, allowedInstanceProfiles, allowedMarkets,
        maxRootVolumeGib, DEFAULT_MAX_SHAPES);
  }

  /** Both markets, root volumes up to {@link #DEFAULT_MAX_ROOT_VOLUME_GIB}. */
  public LaunchPolicy(List<String> allowedImageIds, List<String> allowedInstanceTypes, List<String> allowedSubnetIds,
      int maxInstancesPerRequest, int maxInstancesPerHour, List<String> allowedLaunchTemplates,
      List<String> allowedSecurityGroupIds, List<String> allowedKeyNames, List<String> allowedInstanceProfiles) {
    this(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest, maxInstancesPerHour,
        allowedLaunchTemplates, allowedSecurityGroupIds, allowedKeyNames, allowedInstanceProfiles,
        List.of(Market.values()), DEFAULT_MAX_ROOT_VOLUME_GIB);
  }

  /**
   * Images, types and subnets only: no launch templates, and any security group, key pair and profile (each
   * {@value #ANY}, written out).
   */
  public LaunchPolicy(List<String> allowedImageIds, List<String> allowedInstanceTypes, List<String> allowedSubnetIds,
      int maxInstancesPerRequest, int maxInstancesPerHour) {
    this(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest, maxInstancesPerHour,
        List.of(), List.of(ANY), List.of(ANY), List.of(ANY));
  }

  /** Every list {@value #ANY}, any launch template, both markets, at most 10 instances per request, 1,000 per hour. */
  public static LaunchPolicy permissive() {
    return new LaunchPolicy(List.of(ANY), List.of(ANY), List.of(ANY), 10, 1000, List.of(ANY), List.of(ANY),
        List.of(ANY), List.of(ANY));
  }

  /** Whether an allow-list allows every value: it holds {@value #ANY}. An empty list allows none. */
  public static boolean allowsAll(List<String> allowed) {
    return allowed.contains(ANY);
  }

  public LaunchPolicy withAllowedLaunchTemplates(List<String> templates) {
    return new LaunchPolicy(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest,
        maxInstancesPerHour, templates, allowedSecurityGroupIds, allowedKeyNames, allowedInstanceProfiles,
        allowedMarkets, maxRootVolumeGib, maxShapes, requireEncryptedVolumes, allowedTagKeys);
  }

  public LaunchPolicy withAllowedSecurityGroupIds(List<String> groups) {
    return new LaunchPolicy(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest,
        maxInstancesPerHour, allowedLaunchTemplates, groups, allowedKeyNames, allowedInstanceProfiles,
        allowedMarkets, maxRootVolumeGib, maxShapes, requireEncryptedVolumes, allowedTagKeys);
  }

  public LaunchPolicy withAllowedKeyNames(List<String> keyNames) {
    return new LaunchPolicy(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest,
        maxInstancesPerHour, allowedLaunchTemplates, allowedSecurityGroupIds, keyNames, allowedInstanceProfiles,
        allowedMarkets, maxRootVolumeGib, maxShapes, requireEncryptedVolumes, allowedTagKeys);
  }

  public LaunchPolicy withAllowedInstanceProfiles(List<String> profiles) {
    return new LaunchPolicy(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest,
        maxInstancesPerHour, allowedLaunchTemplates, allowedSecurityGroupIds, allowedKeyNames, profiles,
        allowedMarkets, maxRootVolumeGib, maxShapes, requireEncryptedVolumes, allowedTagKeys);
  }

  public LaunchPolicy withAllowedMarkets(List<Market> markets) {
    return new LaunchPolicy(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest,
        maxInstancesPerHour, allowedLaunchTemplates, allowedSecurityGroupIds, allowedKeyNames,
        allowedInstanceProfiles, markets, maxRootVolumeGib, maxShapes, requireEncryptedVolumes, allowedTagKeys);
  }

  public LaunchPolicy withMaxRootVolumeGib(int gib) {
    return new LaunchPolicy(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest,
        maxInstancesPerHour, allowedLaunchTemplates, allowedSecurityGroupIds, allowedKeyNames,
        allowedInstanceProfiles, allowedMarkets, gib, maxShapes, requireEncryptedVolumes, allowedTagKeys);
  }

  public LaunchPolicy withMaxShapes(int shapes) {
    return new LaunchPolicy(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest,
        maxInstancesPerHour, allowedLaunchTemplates, allowedSecurityGroupIds, allowedKeyNames,
        allowedInstanceProfiles, allowedMarkets, maxRootVolumeGib, shapes, requireEncryptedVolumes, allowedTagKeys);
  }

  public LaunchPolicy withRequireEncryptedVolumes(boolean required) {
    return new LaunchPolicy(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest,
        maxInstancesPerHour, allowedLaunchTemplates, allowedSecurityGroupIds, allowedKeyNames,
        allowedInstanceProfiles, allowedMarkets, maxRootVolumeGib, maxShapes, required, allowedTagKeys);
  }

  public LaunchPolicy withAllowedTagKeys(List<String> keys) {
    return new LaunchPolicy(allowedImageIds, allowedInstanceTypes, allowedSubnetIds, maxInstancesPerRequest,
        maxInstancesPerHour, allowedLaunchTemplates, allowedSecurityGroupIds, allowedKeyNames,
        allowedInstanceProfiles, allowedMarkets, maxRootVolumeGib, maxShapes, requireEncryptedVolumes, keys);
  }

  /**
   * This policy with each empty list of images, instance types, subnets, security groups, key pairs and instance
   * profiles read as {@value #ANY}: for a producer ({@code enqueue}), which checks what it was told of the worker's
   * policy and leaves what it was not told to the worker. Launch templates stay as they are.
   */
  public LaunchPolicy unlistedAsAny() {
    return new LaunchPolicy(orAny(allowedImageIds), orAny(allowedInstanceTypes), orAny(allowedSubnetIds),
        maxInstancesPerRequest, maxInstancesPerHour, allowedLaunchTemplates, orAny(allowedSecurityGroupIds),
        orAny(allowedKeyNames), orAny(allowedInstanceProfiles), allowedMarkets, maxRootVolumeGib, maxShapes,
        requireEncryptedVolumes, allowedTagKeys);
  }

  private static List<String> orAny(List<String> allowed) {
    return allowed.isEmpty() ? List.of(ANY) : allowed;
  }

  /** Whether launches may use this market; an empty list allows none. */
  public boolean allowsMarket(Market market) {
    return allowedMarkets.contains(market);
  }

  /** A configured default that this policy's own list refuses: which default, and the refused value. */
  public record RefusedDefault(Default field, String value) {}

  /** The configured defaults an allow-list applies to. */
  public enum Default { INSTANCE_TYPE, SUBNET_ID, SECURITY_GROUP_IDS }

  /**
   * The defaults this policy would refuse: each one would reject every request that leaves its field out, so it
   * is a configuration mistake, to be reported at start-up. Empty when the defaults fit.
   */
  public List<RefusedDefault> refusedDefaults(LaunchDefaults defaults) {
    PolicyCheck check = new PolicyCheck(this, defaults);
    List<RefusedDefault> refused = new ArrayList<>();
    defaults.instanceType().filter(t -> !check.allowsInstanceType(t))
        .ifPresent(t -> refused.add(new RefusedDefault(Default.INSTANCE_TYPE, t)));
    defaults.subnetId().filter(s -> !check.allowsSubnet(s))
        .ifPresent(s -> refused.add(new RefusedDefault(Default.SUBNET_ID, s)));
    defaults.securityGroupIds().stream().filter(g -> !check.allowsSecurityGroup(g))
        .forEach(g -> refused.add(new RefusedDefault(Default.SECURITY_GROUP_IDS, g)));
    return refused;
  }
}
