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
      "imageId", "launchTemplate", "instanceType", "minCount", "maxCount", "subnetId", "securityGroupIds",
      "keyName", "iamInstanceProfile", "userData", "tags", "clientToken", "requestId");
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
    int minCount = count(body, "minCount");
    int maxCount = count(body, "maxCount");
    if (maxCount < minCount) {
      throw new InvalidRequestException(RejectReason.COUNT_ORDER,
          "maxCount: " + maxCount + (body.has("maxCount") ? "" : " (the default)") + " is below minCount "
              + minCount + "; allowed: maxCount >= minCount");
    }
    Optional<String> subnetId = Fields.string(body, "", "subnetId").map(v -> ValueRules.subnetId("subnetId", v));
    List<String> securityGroupIds =
        Fields.array(body, "", "securityGroupIds").map(RequestValidator::securityGroups).orElse(List.of());
    Optional<String> keyName = Fields.string(body, "", "keyName").map(v -> ValueRules.keyName("keyName", v));
    Optional<InstanceProfileRef> profile =
        Fields.object(body, "", "iamInstanceProfile").map(RequestValidator::profile);
    Optional<String> userData = Fields.secretString(body, "userData").map(v -> ValueRules.userData("userData", v));
    // Read even when absent: the configured default tags alone must fit too.
    ObjectNode tagsNode = Fields.object(body, "", "tags").orElseGet(JsonNodeFactory.instance::objectNode);
    Map<String, String> tags = TagRules.read(tagsNode, "tags", defaults);
    Optional<String> clientToken =
        Fields.string(body, "", "clientToken").map(v -> ValueRules.clientToken("clientToken", v));
    Optional<String> requestId =
        Fields.string(body, "", "requestId").map(v -> ValueRules.requestId("requestId", v));
    return new LaunchRequest(imageId, template, instanceType, minCount, maxCount, subnetId, securityGroupIds,
        keyName, profile, userData, tags, clientToken, requestId);
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
