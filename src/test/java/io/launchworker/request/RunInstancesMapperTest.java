package io.launchworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.IamInstanceProfileSpecification;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

class RunInstancesMapperTest {
  private static final String TOKEN = "token-1";
  private static final String MESSAGE_ID = "0b6f3c1e-1111-2222-3333-444455556666";
  private static final LaunchDefaults DEFAULTS = new LaunchDefaults(
      Optional.of("t3.small"),
      Optional.of("subnet-fedcba98"),
      List.of("sg-fedcba98"),
      Map.of("owner", "platform", "env", "default-env", "billing", "shared"));

  private static LaunchRequest read(String body) {
    return ((ReadResult.Accepted) new RequestReader(LaunchPolicy.permissive()).read(body)).request();
  }

  private static List<String> tagKeys(RunInstancesRequest ec2) {
    return ec2.tagSpecifications().get(0).tags().stream().map(Tag::key).collect(Collectors.toList());
  }

  private static Map<String, String> tagMap(RunInstancesRequest ec2) {
    return ec2.tagSpecifications().get(0).tags().stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b, LinkedHashMap::new));
  }

  @Test
  void sameInputsAlwaysGiveAnEqualRequest() {
    RunInstancesRequest first = new RunInstancesMapper(DEFAULTS).map(read(Bodies.FULL), TOKEN, MESSAGE_ID);
    RunInstancesRequest second = new RunInstancesMapper(DEFAULTS).map(read(Bodies.FULL), TOKEN, MESSAGE_ID);

    assertThat(second).isEqualTo(first);
    assertThat(second.hashCode()).isEqualTo(first.hashCode());
  }

  @Test
  void everyRequestFieldIsSentAsGiven() {
    LaunchRequest request = read(Bodies.FULL);

    RunInstancesRequest ec2 = new RunInstancesMapper(LaunchDefaults.none()).map(request, TOKEN, MESSAGE_ID);

    RunInstancesRequest expected = RunInstancesRequest.builder()
        .clientToken(TOKEN)
        .minCount(2)
        .maxCount(3)
        .imageId(Bodies.AMI)
        .instanceType("t3.micro")
        .subnetId(Bodies.SUBNET)
        .securityGroupIds(Bodies.SG_1, Bodies.SG_2)
        .keyName("ops-key")
        .iamInstanceProfile(IamInstanceProfileSpecification.builder().name("web-profile").build())
        .userData(Bodies.USER_DATA)
        .metadataOptions(InstanceMetadataOptionsRequest.builder().httpEndpoint(InstanceMetadataEndpointState.ENABLED)
            .httpTokens(HttpTokensState.REQUIRED).httpPutResponseHopLimit(1).build())
        .tagSpecifications(java.util.stream.Stream.of(ResourceType.INSTANCE, ResourceType.VOLUME,
                ResourceType.NETWORK_INTERFACE)
            .map(type -> TagSpecification.builder()
                .resourceType(type)
                .tags(tag("team", "web"), tag("env", "prod"), tag("cost-center", "42"),
                    tag(LaunchTags.TOKEN, TOKEN), tag(LaunchTags.MESSAGE_ID, MESSAGE_ID),
                    tag(LaunchTags.REQUEST_HASH, RequestHash.of(request)))
                .build())
            .toList())
        .build();
    assertThat(ec2).isEqualTo(expected);
  }

  @Test
  void tagsAreSortedDefaultsThenRequestTagsInOrderThenTheWorkersThree() {
    RunInstancesRequest ec2 = new RunInstancesMapper(DEFAULTS).map(read(Bodies.FULL), TOKEN, MESSAGE_ID);

    assertThat(tagKeys(ec2)).containsExactly("billing", "env", "owner", "team", "cost-center",
        LaunchTags.TOKEN, LaunchTags.MESSAGE_ID, LaunchTags.REQUEST_HASH);
    assertThat(tagMap(ec2)).containsEntry("env", "prod").containsEntry("owner", "platform");
  }

  @Test
  void theInstanceItsVolumesAndItsNetworkInterfacesCarryTheSameTags() {
    RunInstancesRequest ec2 = new RunInstancesMapper(DEFAULTS).map(read(Bodies.MINIMAL), TOKEN, MESSAGE_ID);

    assertThat(ec2.tagSpecifications()).extracting(TagSpecification::resourceType)
        .containsExactly(ResourceType.INSTANCE, ResourceType.VOLUME, ResourceType.NETWORK_INTERFACE);
    assertThat(ec2.tagSpecifications()).extracting(TagSpecification::tags)
        .allSatisfy(tags -> assertThat(tags).isEqualTo(ec2.tagSpecifications().get(0).tags()));
  }

  @Test
  void workerTagsCarryTokenMessageIdAndRequestHash() {
    LaunchRequest request = read(Bodies.MINIMAL);

    RunInstancesRequest ec2 = new RunInstancesMapper(LaunchDefaults.none()).map(request, TOKEN, MESSAGE_ID);

    assertThat(tagMap(ec2)).containsExactly(
        Map.entry(LaunchTags.TOKEN, TOKEN),
        Map.entry(LaunchTags.MESSAGE_ID, MESSAGE_ID),
        Map.entry(LaunchTags.REQUEST_HASH, RequestHash.of(request)));
    assertThat(ec2.clientToken()).isEqualTo(TOKEN);
  }

  @Test
  void defaultsFillFieldsTheRequestLeavesOut() {
    RunInstancesRequest ec2 = new RunInstancesMapper(DEFAULTS).map(read(Bodies.MINIMAL), TOKEN, MESSAGE_ID);

    assertThat(ec2.instanceTypeAsString()).isEqualTo("t3.small");
    assertThat(ec2.subnetId()).isEqualTo("subnet-fedcba98");
    assertThat(ec2.securityGroupIds()).containsExactly("sg-fedcba98");
    assertThat(ec2.minCount()).isEqualTo(1);
    assertThat(ec2.maxCount()).isEqualTo(1);
  }

  @Test
  void requestFieldsOverrideDefaults() {
    RunInstancesRequest ec2 = new RunInstancesMapper(DEFAULTS).map(read(Bodies.FULL), TOKEN, MESSAGE_ID);

    assertThat(ec2.instanceTypeAsString()).isEqualTo("t3.micro");
    assertThat(ec2.subnetId()).isEqualTo(Bodies.SUBNET);
    assertThat(ec2.securityGroupIds()).containsExactly(Bodies.SG_1, Bodies.SG_2);
  }

  @Test
  void withoutDefaultsTheFieldsStayUnset() {
    RunInstancesRequest ec2 = new RunInstancesMapper(LaunchDefaults.none()).map(read(Bodies.MINIMAL), TOKEN,
        MESSAGE_ID);

    assertThat(ec2.instanceTypeAsString()).isNull();
    assertThat(ec2.subnetId()).isNull();
    assertThat(ec2.hasSecurityGroupIds()).isFalse();
    assertThat(ec2.keyName()).isNull();
    assertThat(ec2.iamInstanceProfile()).isNull();
    assertThat(ec2.userData()).isNull();
    assertThat(ec2.launchTemplate()).isNull();
  }

  @Test
  void launchTemplateIsSentByIdOrNameWithItsVersionUnresolved() {
    RunInstancesMapper mapper = new RunInstancesMapper(LaunchDefaults.none());

    RunInstancesRequest byName = mapper.map(read(Bodies.template("'name':'web'")), TOKEN, MESSAGE_ID);
    RunInstancesRequest byId = mapper.map(
        read(Bodies.template("'id':'" + Bodies.TEMPLATE_ID + "','version':'$Latest'")), TOKEN, MESSAGE_ID);

    assertThat(byName.launchTemplate())
        .isEqualTo(LaunchTemplateSpecification.builder().launchTemplateName("web").version("$Default").build());
    assertThat(byName.imageId()).isNull();
    assertThat(byId.launchTemplate()).isEqualTo(
        LaunchTemplateSpecification.builder().launchTemplateId(Bodies.TEMPLATE_ID).version("$Latest").build());
  }

  @Test
  void configuredDefaultsDoNotOverrideWhatALaunchTemplateSets() {
    RunInstancesRequest ec2 = new RunInstancesMapper(DEFAULTS).map(read(Bodies.template("'name':'web'")), TOKEN,
        MESSAGE_ID);

    assertThat(ec2.instanceTypeAsString()).isNull();
    assertThat(ec2.subnetId()).isNull();
    assertThat(ec2.securityGroupIds()).isEmpty();
  }

  @Test
  void defaultTagsCannotOverrideTheWorkersOwnTags() {
    LaunchDefaults sneaky = new LaunchDefaults(Optional.empty(), Optional.empty(), List.of(),
        Map.of(LaunchTags.TOKEN, "not-the-token"));

    RunInstancesRequest ec2 = new RunInstancesMapper(sneaky).map(read(Bodies.MINIMAL), TOKEN, MESSAGE_ID);

    assertThat(tagKeys(ec2)).containsExactly(LaunchTags.TOKEN, LaunchTags.MESSAGE_ID, LaunchTags.REQUEST_HASH);
    assertThat(tagMap(ec2)).containsEntry(LaunchTags.TOKEN, TOKEN);
  }

  @Test
  void differentTokensGiveDifferentRequests() {
    RunInstancesMapper mapper = new RunInstancesMapper(DEFAULTS);
    LaunchRequest request = read(Bodies.FULL);

    assertThat(mapper.map(request, "a", MESSAGE_ID)).isNotEqualTo(mapper.map(request, "b", MESSAGE_ID));
  }

  @Test
  void everyLaunchRequiresImdsV2ByDefaultTemplateLaunchesIncluded() {
    RunInstancesMapper mapper = new RunInstancesMapper(DEFAULTS);

    for (String body : List.of(Bodies.MINIMAL, Bodies.FULL, Bodies.template("'name':'web'"))) {
      InstanceMetadataOptionsRequest imds = mapper.map(read(body), TOKEN, MESSAGE_ID).metadataOptions();
      assertThat(imds).as(body).isNotNull();
      assertThat(imds.httpTokens()).as(body).isEqualTo(HttpTokensState.REQUIRED);
      assertThat(imds.httpEndpoint()).as(body).isEqualTo(InstanceMetadataEndpointState.ENABLED);
      assertThat(imds.httpPutResponseHopLimit()).as(body).isEqualTo(1);
    }
  }

  @Test
  void imdsV1AllowedIsTheOnlyWayToOptionalTokensAndTheHopLimitIsSentAsConfigured() {
    LaunchDefaults v1 = new LaunchDefaults(Optional.empty(), Optional.empty(), List.of(), Map.of(),
        new LaunchDefaults.Imds(true, 2));

    InstanceMetadataOptionsRequest imds = new RunInstancesMapper(v1).map(read(Bodies.MINIMAL), TOKEN, MESSAGE_ID)
        .metadataOptions();

    assertThat(imds.httpTokens()).isEqualTo(HttpTokensState.OPTIONAL);
    assertThat(imds.httpEndpoint()).isEqualTo(InstanceMetadataEndpointState.ENABLED);
    assertThat(imds.httpPutResponseHopLimit()).isEqualTo(2);
  }

  @Test
  void metadataOptionsTakeNoPartInTheRequestHash() {
    LaunchRequest request = read(Bodies.FULL);
    LaunchDefaults v1 = new LaunchDefaults(Optional.empty(), Optional.empty(), List.of(), Map.of(),
        new LaunchDefaults.Imds(true, 3));

    RunInstancesRequest strict = new RunInstancesMapper(LaunchDefaults.none()).map(request, TOKEN, MESSAGE_ID);
    RunInstancesRequest lax = new RunInstancesMapper(v1).map(request, TOKEN, MESSAGE_ID);

    assertThat(lax.metadataOptions()).isNotEqualTo(strict.metadataOptions());
    assertThat(tagMap(lax).get(LaunchTags.REQUEST_HASH)).isEqualTo(tagMap(strict).get(LaunchTags.REQUEST_HASH))
        .isEqualTo(RequestHash.of(request));
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }
}
