package io.launchworker.request;

import java.util.List;
import java.util.Optional;

/**
 * Applies the configured {@link LaunchPolicy} to a valid request, on the values EC2 will get: the request's own,
 * else the configured {@link LaunchDefaults} (as {@link RunInstancesMapper} sends them). An empty allow-list allows
 * nothing; {@link LaunchPolicy#ANY} allows anything. Where a field whose list does not allow anything would reach EC2
 * empty, EC2 would fill in a value nobody checked (its default instance type, a default-VPC subnet,
 * the VPC's default group), so the request is refused instead, unless it launches from a template, which may set
 * the field itself. What a launch template sets is not visible here. The first failed check wins, in field order,
 * so a request always gets the same rejection.
 *
 * <p>Runs after validation, so a refused request is still a parsed one ({@link ReadResult.Rejected#request()}).
 * Immutable and thread-safe.
 */
final class PolicyCheck {
  private final LaunchPolicy policy;
  private final LaunchDefaults defaults;
  private final List<Glob> templates;
  private final List<Glob> instanceTypes;
  private final List<Glob> keyNames;
  private final List<Glob> profiles;
  private final List<Glob> tagKeys;

  PolicyCheck(LaunchPolicy policy, LaunchDefaults defaults) {
    this.policy = policy;
    this.defaults = defaults;
    this.templates = globs(policy.allowedLaunchTemplates());
    this.instanceTypes = globs(policy.allowedInstanceTypes());
    this.keyNames = globs(policy.allowedKeyNames());
    this.profiles = globs(policy.allowedInstanceProfiles().stream().map(PolicyCheck::profileName).toList());
    this.tagKeys = globs(policy.allowedTagKeys());
  }

  void check(LaunchRequest request) {
    boolean fromTemplate = request.launchTemplate().isPresent();
    request.launchTemplate().ifPresent(this::checkTemplate);
    Optional<String> image = request.imageId();
    if (image.isPresent() && !allowsOrContains(policy.allowedImageIds(), image.get())) {
      throw notAllowed(RejectReason.IMAGE_NOT_ALLOWED, "imageId", image.get(), policy.allowedImageIds(),
          "allowed-image-ids");
    }
    checkInstanceType(request, fromTemplate);
    checkSubnet(request, fromTemplate);
    checkSecurityGroups(request, fromTemplate);
    Optional<String> key = request.keyName();
    if (key.isPresent() && !matchesAny(keyNames, key.get())) {
      throw notAllowed(RejectReason.KEY_NAME_NOT_ALLOWED, "keyName", key.get(), policy.allowedKeyNames(),
          "allowed-key-names");
    }
    request.iamInstanceProfile().ifPresent(this::checkProfile);
    if (request.maxCount() > policy.maxInstancesPerRequest()) {
      throw new InvalidRequestException(RejectReason.TOO_MANY_INSTANCES, "maxCount: " + request.maxCount()
          + " instances; allowed: at most " + policy.maxInstancesPerRequest() + " per request");
    }
    checkMarket(request);
    checkShapes(request);
    request.rootVolume().ifPresent(this::checkRootVolume);
    checkTags(request);
  }

  /**
   * Enforced keys first, for every tag, then the allow-list, each in body order: a request setting an enforced key is
   * told so, whatever else it sets.
   */
  private void checkTags(LaunchRequest request) {
    for (String key : request.tags().keySet()) {
      Optional<String> enforced = defaults.enforcedKeyMatching(key);
      if (enforced.isPresent()) {
        throw new InvalidRequestException(RejectReason.ENFORCED_TAG, Show.field("tags", key) + ": key "
            + Show.quote(key) + (enforced.get().equals(key) ? "" : " (as " + Show.quote(enforced.get()) + ")")
            + " is set by launcher.tags.enforced and cannot be overridden; allowed: keys other than "
            + shown(defaults.enforcedTags().keySet().stream().sorted().toList()) + ", in any case");
      }
    }
    // Optional, unlike the allow-lists: empty allows any key.
    if (tagKeys.isEmpty()) {
      return;
    }
    for (String key : request.tags().keySet()) {
      if (tagKeys.stream().noneMatch(g -> g.matches(key))) {
        throw notAllowed(RejectReason.TAG_KEY_NOT_ALLOWED, Show.field("tags", key) + " (launcher.policy."
            + "allowed-tag-keys)", key, policy.allowedTagKeys(), "allowed-tag-keys");
      }
    }
  }

  private void checkMarket(LaunchRequest request) {
    MarketChoice choice = request.marketChoice();
    for (Market market : choice.markets()) {
      if (!policy.allowsMarket(market)) {
        throw new InvalidRequestException(RejectReason.MARKET_NOT_ALLOWED, "market" + (request.market().isPresent()
            ? "" : " (the default)") + ": got " + Show.quote(choice.wire()) + ", which launches " + market.wire()
            + "; allowed markets: " + (policy.allowedMarkets().isEmpty() ? "none (allowed-markets is empty)"
            : String.join(", ", policy.allowedMarkets().stream().map(Market::wire).toList())));
      }
    }
  }

  /** Counts the shapes as the launch walks them, so the cap and the RunInstances calls it bounds agree. */
  private void checkShapes(LaunchRequest request) {
    int shapes = LaunchShape.walk(request, defaults).size();
    if (shapes > policy.maxShapes()) {
      int markets = request.marketChoice().markets().size();
      int types = Math.max(1, defaults.instanceTypesFor(request).size());
      int subnets = Math.max(1, defaults.subnetIdsFor(request).size());
      throw new InvalidRequestException(RejectReason.TOO_MANY_SHAPES, "instanceTypes, subnetIds, market: " + shapes
          + " launch shapes (" + types + plural(" instance type", types) + " x " + subnets
          + plural(" subnet", subnets) + " x " + markets + plural(" market", markets) + "), each one RunInstances "
          + "call when capacity is short; allowed: at most " + policy.maxShapes() + " (launcher.policy.max-shapes)");
    }
  }

  private static String plural(String noun, int count) {
    return count == 1 ? noun : noun + "s";
  }

  private void checkRootVolume(RootVolume volume) {
    if (volume.sizeGiB().isPresent() && volume.sizeGiB().getAsInt() > policy.maxRootVolumeGib()) {
      throw new InvalidRequestException(RejectReason.ROOT_VOLUME_TOO_LARGE, "rootVolume.sizeGiB: got "
          + volume.sizeGiB().getAsInt() + "; allowed: at most " + policy.maxRootVolumeGib() + " (max-root-volume-gib)");
    }
    if (!volume.encrypted() && policy.requireEncryptedVolumes()) {
      throw new InvalidRequestException(RejectReason.UNENCRYPTED_VOLUME, "rootVolume.encrypted: got false; allowed: "
          + "true, or leave it out (launcher.policy.require-encrypted-volumes is on)");
    }
  }

  boolean allowsInstanceType(String type) {
    return matchesAny(instanceTypes, type);
  }

  boolean allowsSubnet(String subnet) {
    return allowsOrContains(policy.allowedSubnetIds(), subnet);
  }

  boolean allowsSecurityGroup(String group) {
    return allowsOrContains(policy.allowedSecurityGroupIds(), group);
  }

  private void checkTemplate(LaunchTemplateRef template) {
    String path = template.id().isPresent() ? "launchTemplate.id" : "launchTemplate.name";
    String value = template.id().or(template::name).orElseThrow();
    if (templates.stream().noneMatch(g -> g.matches(value))) {
      throw policy.allowedLaunchTemplates().isEmpty()
          ? new InvalidRequestException(RejectReason.LAUNCH_TEMPLATE_NOT_ALLOWED, path + ": got "
              + Show.quote(value) + "; allowed: no launch templates (none is configured)")
          : notAllowed(RejectReason.LAUNCH_TEMPLATE_NOT_ALLOWED, path, value, policy.allowedLaunchTemplates(),
              "allowed-launch-templates");
    }
  }

  private void checkInstanceType(LaunchRequest request, boolean fromTemplate) {
    String key = "allowed-instance-types";
    if (eachAllowed(request.instanceTypes(), "instanceTypes", this::allowsInstanceType,
        RejectReason.INSTANCE_TYPE_NOT_ALLOWED, policy.allowedInstanceTypes(), key)) {
      return;
    }
    Optional<String> type = defaults.instanceTypeFor(request);
    if (type.isEmpty()) {
      if (!fromTemplate && !LaunchPolicy.allowsAll(policy.allowedInstanceTypes())) {
        throw required(RejectReason.INSTANCE_TYPE_REQUIRED, "instanceType", "no default is configured",
            policy.allowedInstanceTypes(), key, "EC2 would launch its own default type");
      }
      return;
    }
    if (!allowsInstanceType(type.get())) {
      throw notAllowed(RejectReason.INSTANCE_TYPE_NOT_ALLOWED, path("instanceType", request.instanceType()),
          type.get(), policy.allowedInstanceTypes(), key);
    }
  }

  private void checkSubnet(LaunchRequest request, boolean fromTemplate) {
    String key = "allowed-subnet-ids";
    if (eachAllowed(request.subnetIds(), "subnetIds", this::allowsSubnet, RejectReason.SUBNET_NOT_ALLOWED,
        policy.allowedSubnetIds(), key)) {
      return;
    }
    Optional<String> subnet = defaults.subnetIdFor(request);
    if (subnet.isEmpty()) {
      if (!fromTemplate && !LaunchPolicy.allowsAll(policy.allowedSubnetIds())) {
        throw required(RejectReason.SUBNET_REQUIRED, "subnetId", "no default is configured",
            policy.allowedSubnetIds(), key, "EC2 would pick a subnet of the default VPC");
      }
      return;
    }
    if (!allowsSubnet(subnet.get())) {
      throw notAllowed(RejectReason.SUBNET_NOT_ALLOWED, path("subnetId", request.subnetId()), subnet.get(),
          policy.allowedSubnetIds(), key);
    }
  }

  /**
   * Refuses the first of a request's listed values ({@code instanceTypes}, {@code subnetIds}) the policy does not
   * allow. Returns whether the request listed any: then no default applies.
   */
  private static boolean eachAllowed(List<String> listed, String field, java.util.function.Predicate<String> allows,
      RejectReason reason, List<String> allowed, String key) {
    for (int i = 0; i < listed.size(); i++) {
      if (!allows.test(listed.get(i))) {
        throw notAllowed(reason, Show.index(field, i), listed.get(i), allowed, key);
      }
    }
    return !listed.isEmpty();
  }

  private void checkSecurityGroups(LaunchRequest request, boolean fromTemplate) {
    List<String> groups = defaults.securityGroupIdsFor(request);
    List<String> allowed = policy.allowedSecurityGroupIds();
    String key = "allowed-security-group-ids";
    if (groups.isEmpty() && !fromTemplate && !LaunchPolicy.allowsAll(allowed)) {
      throw required(RejectReason.SECURITY_GROUP_REQUIRED, "securityGroupIds", "none is configured by default",
          allowed, key, "EC2 would attach the VPC's default group");
    }
    boolean own = !request.securityGroupIds().isEmpty();
    for (int i = 0; i < groups.size(); i++) {
      if (!allowsSecurityGroup(groups.get(i))) {
        String path = Show.index("securityGroupIds", i) + (own ? "" : " (the configured default)");
        throw notAllowed(RejectReason.SECURITY_GROUP_NOT_ALLOWED, path, groups.get(i), allowed, key);
      }
    }
  }

  private void checkProfile(InstanceProfileRef profile) {
    String path = profile.arn().isPresent() ? "iamInstanceProfile.arn" : "iamInstanceProfile.name";
    String value = profile.arn().or(profile::name).orElseThrow();
    String name = profileName(value);
    if (!matchesAny(profiles, name)) {
      throw notAllowed(RejectReason.INSTANCE_PROFILE_NOT_ALLOWED,
          path + (profile.arn().isPresent() ? " (profile name " + Show.quote(name) + ")" : ""), value,
          policy.allowedInstanceProfiles(), "allowed-instance-profiles");
    }
  }

  /** An instance profile ARN's name is the part after its last {@code /} (its path comes before); a name is itself. */
  static String profileName(String nameOrArn) {
    return nameOrArn.startsWith("arn:") ? nameOrArn.substring(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
  }

  private static String path(String field, Optional<String> own) {
    return own.isPresent() ? field : field + " (the configured default)";
  }

  private static List<Glob> globs(List<String> patterns) {
    return patterns.stream().map(Glob::new).toList();
  }

  /** An empty list matches nothing: allow-lists fail closed. */
  private static boolean matchesAny(List<Glob> globs, String value) {
    return globs.stream().anyMatch(g -> g.matches(value));
  }

  /** An exact-ID list: the value itself or {@link LaunchPolicy#ANY}; an empty list allows nothing. */
  private static boolean allowsOrContains(List<String> allowed, String value) {
    return LaunchPolicy.allowsAll(allowed) || allowed.contains(value);
  }

  private static InvalidRequestException required(RejectReason reason, String path, String noDefault,
      List<String> allowed, String key, String otherwise) {
    return new InvalidRequestException(reason, path + ": missing, no launch template, and " + noDefault
        + "; allowed: " + shown(allowed, key) + " (left out, " + otherwise + ")");
  }

  private static InvalidRequestException notAllowed(RejectReason reason, String path, String value,
      List<String> allowed, String key) {
    return new InvalidRequestException(reason, path + ": got " + Show.quote(value) + "; allowed: "
        + shown(allowed, key));
  }

  /** The allowed values, or for an empty list that it allows none and which key is empty. */
  private static String shown(List<String> allowed, String key) {
    return allowed.isEmpty() ? "none (" + key + " is empty)" : shown(allowed);
  }

  private static String shown(List<String> allowed) {
    return allowed.size() <= 10
        ? String.join(", ", allowed)
        : String.join(", ", allowed.subList(0, 10)) + " and " + (allowed.size() - 10) + " more";
  }
}
