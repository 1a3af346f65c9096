package io.launchworker.request;

import static io.launchworker.request.Bodies.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Tags that matter cannot be overridden: {@code launcher.tags.enforced} goes on the instance, its volumes and its
 * network interfaces whatever the request says, and a request setting one of its keys is refused; the optional
 * {@code allowed-tag-keys} limits the keys a request may use at all.
 */
class EnforcedTagsTest {
  private static final Map<String, String> ENFORCED = Map.of("CostCenter", "4711", "owner-team", "platform");
  /** Defaults of the same keys as the enforced ones, which a request has always been able to replace. */
  private static final LaunchDefaults DEFAULTS = new LaunchDefaults(Optional.empty(), Optional.empty(), List.of(),
      Map.of("CostCenter", "shared", "env", "dev")).withEnforcedTags(ENFORCED);

  private static ReadResult read(LaunchPolicy policy, LaunchDefaults defaults, String body) {
    return new RequestReader(policy, defaults).read(body);
  }

  private static Rejection rejection(ReadResult result) {
    assertThat(result).isInstanceOf(ReadResult.Rejected.class);
    return ((ReadResult.Rejected) result).rejection();
  }

  private static Map<ResourceType, Map<String, String>> tagsByResource(RunInstancesRequest ec2) {
    return ec2.tagSpecifications().stream().collect(Collectors.toMap(TagSpecification::resourceType,
        s -> s.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b, LinkedHashMap::new))));
  }

  @Test
  void aRequestSettingAnEnforcedKeyInAnyCaseIsRejectedAndKeepsItsParsedRequest() {
    for (String key : List.of("CostCenter", "costcenter", "OWNER-TEAM")) {
      ReadResult result = read(LaunchPolicy.permissive(), DEFAULTS, with("'tags':{'team':'ci','" + key + "':'0'}"));

      Rejection rejection = rejection(result);
      assertThat(rejection.reason()).as(key).isEqualTo("enforced_tag");
      assertThat(rejection.message()).as(key).startsWith("tags." + key + ": key \"" + key + "\"")
          .contains("launcher.tags.enforced").contains("allowed: keys other than CostCenter, owner-team");
      // A policy refusal: the request's token and hash still identify an earlier launch of it.
      assertThat(((ReadResult.Rejected) result).request()).as(key).isPresent();
    }
  }

  @Test
  void aDefaultTagKeyIsStillTheRequestsToReplace() {
    assertThat(read(LaunchPolicy.permissive(), DEFAULTS, with("'tags':{'env':'prod'}")))
        .isInstanceOf(ReadResult.Accepted.class);
  }

  @Test
  void enforcedTagsGoOnTheInstanceItsVolumesAndItsInterfacesAndReplaceADefaultOfTheSameKey() {
    RunInstancesMapper mapper = new RunInstancesMapper(DEFAULTS);
    for (String body : List.of(with("'tags':{'env':'prod'}"), Bodies.template("'name':'web'"))) {
      LaunchRequest request = ((ReadResult.Accepted) read(LaunchPolicy.permissive(), DEFAULTS, body)).request();

      Map<ResourceType, Map<String, String>> tags = tagsByResource(mapper.map(request, "t", "m"));

      assertThat(tags).as(body).containsOnlyKeys(ResourceType.INSTANCE, ResourceType.VOLUME,
          ResourceType.NETWORK_INTERFACE);
      assertThat(tags.values()).as(body).allSatisfy(t -> assertThat(t)
          .containsEntry("CostCenter", "4711").containsEntry("owner-team", "platform")
          .containsKey(LaunchTags.TOKEN));
    }
  }

  /** The bug: a request's tag replaced the configured CostCenter on the instance, its volumes and interfaces. */
  @Test
  void aRequestTagThatGotPastThePolicyStillCannotReplaceAnEnforcedTag() {
    LaunchRequest overriding = ((ReadResult.Accepted) read(LaunchPolicy.permissive(), LaunchDefaults.none(),
        with("'tags':{'CostCenter':'someone-else'}"))).request();

    Map<ResourceType, Map<String, String>> tags =
        tagsByResource(new RunInstancesMapper(DEFAULTS).map(overriding, "t", "m"));

    assertThat(tags.values()).hasSize(3).allSatisfy(t -> assertThat(t).containsEntry("CostCenter", "4711"));
  }

  /** A body with {@code n} tags of keys no default or enforced tag has. */
  private static String withTags(int n) {
    return with("'tags':{" + IntStream.range(0, n).mapToObj(i -> "'k" + i + "':'v'").collect(Collectors.joining(","))
        + "}");
  }

  @Test
  void enforcedTagsTakeFromTheRequestsTagBudgetOnceEvenWhenADefaultHasTheSameKey() {
    // 47 in all: the 2 enforced, "env" of the defaults (their CostCenter gives way to the enforced one), 44 of the
    // request.
    assertThat(read(LaunchPolicy.permissive(), DEFAULTS, withTags(44))).isInstanceOf(ReadResult.Accepted.class);
    assertThat(rejection(read(LaunchPolicy.permissive(), DEFAULTS, withTags(45))).reason())
        .isEqualTo("too_many_tags");
  }

  @Test
  void allowedTagKeysAreGlobsOnTheRequestsOwnKeysAndEmptyAllowsAnyKey() {
    LaunchPolicy policy = LaunchPolicy.permissive().withAllowedTagKeys(List.of("team", "job-*"));

    assertThat(read(policy, DEFAULTS, with("'tags':{'team':'ci','job-id':'17'}")))
        .isInstanceOf(ReadResult.Accepted.class);
    assertThat(read(policy, DEFAULTS, with("'instanceType':'t3.micro'")))
        .as("default and enforced tags are the operator's, not checked").isInstanceOf(ReadResult.Accepted.class);
    Rejection refused = rejection(read(policy, DEFAULTS, with("'tags':{'team':'ci','Team':'ops'}")));
    assertThat(refused.reason()).isEqualTo("tag_key_not_allowed");
    assertThat(refused.message()).isEqualTo(
        "tags.Team (launcher.policy.allowed-tag-keys): got \"Team\"; allowed: team, job-*");
    assertThat(rejection(read(policy, DEFAULTS, with("'tags':{'costcenter':'0'}"))).reason())
        .as("an enforced key is named as such, not as a key outside the list").isEqualTo("enforced_tag");
    assertThat(read(LaunchPolicy.permissive(), DEFAULTS, with("'tags':{'anything':'x'}")))
        .isInstanceOf(ReadResult.Accepted.class);
  }
}
