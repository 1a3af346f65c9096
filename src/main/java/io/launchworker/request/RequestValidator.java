package io.launchworker.request;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a parsed body against the launch-request schema and builds the {@link LaunchRequest}. Fields are
 * checked in schema order and the first failure wins, so a body always gets the same rejection. Immutable and
 * thread-safe.
 */
final class RequestValidator {
  private static final List<String> FIELDS = List.of(
      "imageId", "launchTemplate", "instanceType", "instanceTypes", "minCount", "maxCount", "subnetId", "subnetIds",
      "securityGroupIds", "keyName", "iamInstanceProfile", "market", "spotMaxPrice", "rootVolume", "userData", "tags",
      "clientToken", "requestId");
  /** Ten types ride out a shortage; each one refused costs a RunInstances call (per subnet and market). */
  static final int MAX_INSTANCE_TYPES = 10;
  /** More than one subnet per availability zone of the largest regions. */
  static final int MAX_SUBNETS = 16;
  private static final List<String> ROOT_VOLUME_FIELDS = List.of("sizeGiB", "type", "encrypted", "deviceName");
  private static final List<String> TEMPLATE_FIELDS = List.of("id", "name", "version");
  private static final List<String> PROFILE_FIELDS = List.of("arn", "name");

  private final LaunchDefaults defaults;

  /** @param defaults the configured defaults: their tags count towards a request's tag budget */
  RequestValidator(LaunchDefaults defaults) {
    this.defaults = defaults;
  }

  LaunchRequest validate(ObjectNode body) {
    Fields.rejectUnknown(body, "", FIELDS);
    Optional<String> imageId = Fields.string(body, "", "imageId").map(v -> ValueRules.imageId("imageId", v));
    Optional<LaunchTemplateRef> template = Fields.object(body, "", "launchTemplate").map(RequestValidator::template);
    exactlyOne("", "imageId", imageId.isPresent(), "launchTemplate", template.isPresent());
    Optional<String> instanceType =
        Fields.string(body, "", "instanceType").map(v -> ValueRules.instanceType("instanceType", v));
    List<String> instanceTypes = Fields.array(body, "", "instanceTypes")
        .map(a -> distinctList(a, "instanceTypes", MAX_INSTANCE_TYPES, "types", ValueRules::instanceType))
        .orElse(List.of());
    atMostOne("instanceType", instanceType.isPresent(), "instanceTypes", !instanceTypes.isEmpty());
    int minCount = count(body, "minCount");
    int maxCount = count(body, "maxCount");
    if (maxCount < minCount) {
      throw new InvalidRequestException(RejectReason.COUNT_ORDER,
          "maxCount: " + maxCount + (body.has("maxCount") ? "" : " (the default)") + " is below minCount "
              + minCount + "; allowed: maxCount >= minCount");
    }
    Optional<String> subnetId = Fields.string(body, "", "subnetId").map(v -> ValueRules.subnetId("subnetId", v));
    List<String> subnetIds = Fields.array(body, "", "subnetIds")
        .map(a -> distinctList(a, "subnetIds", MAX_SUBNETS, "subnets", ValueRules::subnetId))
        .orElse(List.of());
    atMostOne("subnetId", subnetId.isPresent(), "subnetIds", !subnetIds.isEmpty());
    List<String> securityGroupIds =
        Fields.array(body, "", "securityGroupIds").map(RequestValidator::securityGroups).orElse(List.of());
    Optional<String> keyName = Fields.string(body, "", "keyName").map(v -> ValueRules.keyName("keyName", v));
    Optional<InstanceProfileRef> profile =
        Fields.object(body, "", "iamInstanceProfile").map(RequestValidator::profile);
    Optional<MarketChoice> market = Fields.string(body, "", "market").map(RequestValidator::market);
    Optional<String> spotMaxPrice =
        Fields.string(body, "", "spotMaxPrice").map(v -> ValueRules.spotPrice("spotMaxPrice", v));
    if (spotMaxPrice.isPresent() && !market.orElse(MarketChoice.DEFAULT).usesSpot()) {
      throw new InvalidRequestException(RejectReason.CONFLICTING_FIELDS, "spotMaxPrice, market: spotMaxPrice given "
          + "with market " + Show.quote(market.orElse(MarketChoice.DEFAULT).wire())
          + (market.isPresent() ? "" : " (the default)") + "; allowed: spotMaxPrice only with market \"spot\" or "
          + "\"spot-then-on-demand\"");
    }
    Optional<RootVolume> rootVolume = Fields.object(body, "", "rootVolume").map(RequestValidator::rootVolume);
    if (rootVolume.isPresent() && template.isPresent() && rootVolume.get().deviceName().isEmpty()) {
      throw new InvalidRequestException(RejectReason.MISSING_FIELD, "rootVolume.deviceName: missing with a "
          + "launchTemplate; allowed: the template image's root device, such as \"/dev/xvda\" (the worker cannot "
          + "look up the image of a template)");
    }
    Optional<String> userData = Fields.secretString(body, "userData").map(v -> ValueRules.userData("userData", v));
    // Read even when absent: the configured default tags alone must fit too.
    ObjectNode tagsNode = Fields.object(body, "", "tags").orElseGet(JsonNodeFactory.instance::objectNode);
    Map<String, String> tags = TagRules.read(tagsNode, "tags", defaults);
    Optional<String> clientToken =
        Fields.string(body, "", "clientToken").map(v -> ValueRules.clientToken("clientToken", v));
    Optional<String> requestId =
        Fields.string(body, "", "requestId").map(v -> ValueRules.requestId("requestId", v));
    return new LaunchRequest(imageId, template, instanceType, minCount, maxCount, subnetId, securityGroupIds,
        keyName, profile, userData, tags, clientToken, requestId, instanceTypes, subnetIds, market, spotMaxPrice,
        rootVolume);
  }

  private static MarketChoice market(String value) {
    MarketChoice choice = MarketChoice.fromWire(value);
    if (choice == null) {
      throw ValueRules.invalid("market", value, String.join(", ", MarketChoice.wires().stream().map(Show::quote)
          .toList()) + " (default \"" + MarketChoice.DEFAULT.wire() + "\")");
    }
    return choice;
  }

  private static RootVolume rootVolume(ObjectNode node) {
    String path = "rootVolume";
    Fields.rejectUnknown(node, path, ROOT_VOLUME_FIELDS);
    String type = Fields.string(node, path, "type").orElse(RootVolume.DEFAULT_TYPE);
    if (!RootVolume.TYPES.contains(type)) {
      throw ValueRules.invalid(path + ".type", type, String.join(", ", RootVolume.TYPES.stream().map(Show::quote)
          .toList()) + " (default \"" + RootVolume.DEFAULT_TYPE + "\"; st1 and sc1 cannot boot)");
    }
    java.util.OptionalInt size = Fields.integer(node, path, "sizeGiB");
    int max = RootVolume.maxSizeGiB(type);
    if (size.isPresent() && (size.getAsInt() < 1 || size.getAsInt() > max)) {
      throw new InvalidRequestException(RejectReason.INVALID_VALUE, path + ".sizeGiB: got " + size.getAsInt()
          + "; allowed: 1 to " + max + " for type " + type);
    }
    boolean encrypted = Fields.bool(node, path, "encrypted").orElse(true);
    Optional<String> deviceName =
        Fields.string(node, path, "deviceName").map(v -> ValueRules.deviceName(path + ".deviceName", v));
    return new RootVolume(size, type, encrypted, deviceName);
  }

  /** A list of 1 to {@code max} distinct values, each checked by {@code rule} with its indexed path. */
  private static List<String> distinctList(ArrayNode array, String field, int max, String what,
      java.util.function.BinaryOperator<String> rule) {
    if (array.isEmpty() || array.size() > max) {
      throw new InvalidRequestException(RejectReason.INVALID_VALUE, field + ": " + array.size() + " " + what
          + "; allowed: 1 to " + max);
    }
    List<String> values = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String path = Show.index(field, i);
      String value = rule.apply(path, Fields.string(array.get(i), path));
      if (values.contains(value)) {
        throw ValueRules.invalid(path, value, "each value once (also at " + field + "[" + values.indexOf(value)
            + "])");
      }
      values.add(value);
    }
    return values;
  }

  private static void atMostOne(String a, boolean hasA, String b, boolean hasB) {
    if (hasA && hasB) {
      throw new InvalidRequestException(RejectReason.CONFLICTING_FIELDS,
          a + ", " + b + ": both given; allowed: at most one of them (" + b + " lists several in order of preference)");
    }
  }

  private static LaunchTemplateRef template(ObjectNode node) {
    String path = "launchTemplate";
    Fields.rejectUnknown(node, path, TEMPLATE_FIELDS);
    Optional<String> id = Fields.string(node, path, "id").map(v -> ValueRules.templateId(path + ".id", v));
    Optional<String> name = Fields.string(node, path, "name").map(v -> ValueRules.templateName(path + ".name", v));
    exactlyOne(path, "id", id.isPresent(), "name", name.isPresent());
    String version = Fields.string(node, path, "version")
        .map(v -> ValueRules.templateVersion(path + ".version", v))
        .orElse(LaunchTemplateRef.DEFAULT_VERSION);
    return new LaunchTemplateRef(id, name, version);
  }

  private static InstanceProfileRef profile(ObjectNode node) {
    String path = "iamInstanceProfile";
    Fields.rejectUnknown(node, path, PROFILE_FIELDS);
    Optional<String> arn = Fields.string(node, path, "arn").map(v -> ValueRules.profileArn(path + ".arn", v));
    Optional<String> name = Fields.string(node, path, "name").map(v -> ValueRules.profileName(path + ".name", v));
    exactlyOne(path, "arn", arn.isPresent(), "name", name.isPresent());
    return new InstanceProfileRef(arn, name);
  }

  private static List<String> securityGroups(ArrayNode array) {
    if (array.size() > ValueRules.MAX_SECURITY_GROUPS) {
      throw new InvalidRequestException(RejectReason.INVALID_VALUE, "securityGroupIds: " + array.size()
          + " groups; allowed: at most " + ValueRules.MAX_SECURITY_GROUPS);
    }
    List<String> groups = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String path = Show.index("securityGroupIds", i);
      String group = ValueRules.securityGroupId(path, Fields.string(array.get(i), path));
      if (groups.contains(group)) {
        throw ValueRules.invalid(path, group, "each group once (also at securityGroupIds["
            + groups.indexOf(group) + "])");
      }
      groups.add(group);
    }
    return groups;
  }

  private static int count(ObjectNode body, String name) {
    int count = Fields.integer(body, "", name).orElse(1);
    if (count < 1) {
      throw new InvalidRequestException(RejectReason.INVALID_COUNT,
          name + ": got " + count + "; allowed: an integer of at least 1 (default 1)");
    }
    return count;
  }

  private static void exactlyOne(String path, String a, boolean hasA, String b, boolean hasB) {
    String where = path.isEmpty() ? "" : path + ".";
    if (hasA && hasB) {
      throw new InvalidRequestException(RejectReason.CONFLICTING_FIELDS,
          where + a + ", " + where + b + ": both given; allowed: exactly one of them");
    }
    if (!hasA && !hasB) {
      throw new InvalidRequestException(RejectReason.MISSING_FIELD,
          where + a + ", " + where + b + ": neither given; allowed: exactly one of them");
    }
  }
}
