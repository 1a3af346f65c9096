package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.LaunchRequest;
import io.launchworker.request.LaunchTags;
import io.launchworker.request.ReadResult;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import io.launchworker.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * {@code docker/iam-policy.json} grants exactly what the worker calls: every operation recorded while
 * {@link FaultScript} walks each path, and every call site in the worker's source, is allowed on the resource
 * it addresses; and nothing is allowed that neither finds, apart from the two permissions RunInstances itself
 * needs ({@code ec2:CreateTags} for tag-on-create, {@code iam:PassRole} for instance profiles).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IamPolicyTest {
  private static final String REGION = "REGION";
  private static final String ACCOUNT = "ACCOUNT";
  /** Authorized as part of RunInstances, never called on their own. */
  private static final Set<String> IMPLIED_BY_RUN_INSTANCES = Set.of("ec2:CreateTags", "iam:PassRole");
  private static final String INSTANCE_ANY = "arn:aws:ec2:REGION:ACCOUNT:instance/*";
  private static final String INSTANCE = "arn:aws:ec2:REGION:ACCOUNT:instance/i-0123456789abcdef0";

  private final RecordedOperations recorded = new RecordedOperations();
  private static final String INSTANCE_TYPES = "INSTANCE-TYPES-YOU-ALLOW";
  private static final String VOLUME = "arn:aws:ec2:REGION:ACCOUNT:volume/vol-0123456789abcdef0";

  private SandboxHarness harness;
  private IamPolicy policy;
  /** The policy as an operator fills it in who allows any instance type. */
  private IamPolicy anyType;

  @BeforeAll
  void walkEveryPath() throws IOException {
    policy = IamPolicy.read();
    anyType = IamPolicy.read(Map.of(INSTANCE_TYPES, "*"));
    harness = new SandboxHarness();
    FaultScript.run(harness, List.of(recorded));
  }

  @AfterAll
  void close() {
    harness.close();
  }

  @Test
  void theScenarioReachedEveryOperationTheWorkerHas() {
    Set<String> operations = recorded.calls().stream().map(c -> c.service() + ":" + c.operation())
        .collect(Collectors.toCollection(TreeSet::new));

    assertThat(operations).containsExactlyInAnyOrder("sqs:ReceiveMessage", "sqs:DeleteMessage",
        "sqs:DeleteMessageBatch", "sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:GetQueueAttributes",
        "sqs:SendMessage", "ec2:RunInstances", "ec2:DescribeInstances");
  }

  @Test
  void everyRecordedCallIsAllowedOnTheQueueOrResourceItAddressed() {
    assertThat(recorded.calls()).isNotEmpty().allSatisfy(call -> {
      String action = IamPolicy.iamAction(call.service(), call.operation());
      String resource = call.queue().map(q -> "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + q)
          .orElse(call.operation().equals("RunInstances")
              ? "arn:aws:ec2:" + REGION + ":" + ACCOUNT + ":instance/i-0123456789abcdef0" : "*");
      assertThat(policy.allows(action, resource)).as("%s on %s (from %s)", action, resource, call).isTrue();
    });
  }

  @Test
  void resultEventsAndDeadLettersWentToTheQueuesThePolicyNames() {
    Set<String> sentTo = recorded.calls().stream().filter(c -> c.operation().equals("SendMessage"))
        .map(c -> c.queue().orElseThrow()).collect(Collectors.toSet());

    assertThat(sentTo).containsExactlyInAnyOrder(Sandbox.DLQ, Sandbox.RESULTS);
    assertThat(policy.allows("sqs:SendMessage", "arn:aws:sqs:REGION:ACCOUNT:" + Sandbox.QUEUE))
        .as("the worker never sends to its own source queue").isFalse();
  }

  @Test
  void everyCallSiteInTheWorkersSourceIsAllowedEvenIfNoScenarioReachesIt() {
    Set<String> sites = SdkCallSites.operations(Path.of("src", "main", "java", "io", "launchworker"));

    assertThat(sites).contains("sqs:ReceiveMessage", "ec2:RunInstances", "ec2:DescribeInstances");
    assertThat(sites).allSatisfy(op -> {
      String[] parts = op.split(":");
      assertThat(policy.allowedActions()).as(op).contains(IamPolicy.iamAction(parts[0], parts[1]));
    });
  }

  @Test
  void callSiteScannerSeesAClientFieldsCallsButNotOtherObjectsOfTheSameName() {
    String source = "class X { private final SqsClient sqs; private final Ec2Port ec2;\n"
        + " void a() { sqs.purgeQueue(b -> b); ec2.findByToken(t); sqs.close(); }\n"
        + " void b(Ec2Client client) { client.describeImagesPaginator(r); } }";

    assertThat(SdkCallSites.inFile(source)).containsExactly("ec2:DescribeImages", "sqs:PurgeQueue");
  }

  @Test
  void thePolicyGrantsNothingTheWorkerNeverCalls() {
    Set<String> needed = new TreeSet<>(IMPLIED_BY_RUN_INSTANCES);
    recorded.calls().forEach(c -> needed.add(IamPolicy.iamAction(c.service(), c.operation())));
    SdkCallSites.operations(Path.of("src", "main", "java", "io", "launchworker")).forEach(op -> {
      String[] parts = op.split(":");
      needed.add(IamPolicy.iamAction(parts[0], parts[1]));
    });

    assertThat(policy.allowedActions()).containsExactlyInAnyOrderElementsOf(needed);
    assertThat(policy.allowedActions()).noneMatch(a -> a.contains("*"));
    assertThat(policy.statements()).allSatisfy(s -> assertThat(s.effect()).isEqualTo("Allow"));
  }

  @Test
  void runInstancesMayCreateInstancesOnlyWhenTheyCarryTheWorkersThreeTags() {
    List<IamPolicy.Statement> onInstances = policy.statementsFor("ec2:RunInstances").stream()
        .filter(s -> s.resources().stream().anyMatch(r -> r.contains(":instance/"))).toList();

    assertThat(onInstances).hasSize(1);
    assertThat(onInstances.get(0).resources()).containsExactly("arn:aws:ec2:REGION:ACCOUNT:instance/*");
    var isNull = onInstances.get(0).condition().path("Null");
    for (String tag : List.of(LaunchTags.TOKEN, LaunchTags.MESSAGE_ID, LaunchTags.REQUEST_HASH)) {
      assertThat(isNull.path("aws:RequestTag/" + tag).asText()).as("tag %s must be present", tag)
          .isEqualTo("false");
    }
    // The other RunInstances statement covers what the launch uses, never instances, and "*" nowhere.
    assertThat(policy.statementsFor("ec2:RunInstances")).allSatisfy(s ->
        assertThat(s.resources()).doesNotContain("*"));
  }

  @Test
  void everyRunInstancesTheWorkerSentMeetsTheInstanceConditionsImdsV2Included() {
    assertThat(recorded.launches()).isNotEmpty().allSatisfy(launch ->
        assertThat(anyType.allows("ec2:RunInstances", INSTANCE, instanceContext(launch))).as("%s", launch).isTrue());
  }

  @Test
  void anInstanceWithImdsV1OnOrWithoutMetadataOptionsOrWithoutTheWorkersTagsIsDenied() {
    LaunchRequest request = ((ReadResult.Accepted) new RequestReader(LaunchPolicy.permissive())
        .read(SandboxHarness.request("t3.micro"))).request();
    RunInstancesRequest strict = new RunInstancesMapper(LaunchDefaults.none()).map(request, "t", "m");
    RunInstancesRequest v1 = new RunInstancesMapper(new LaunchDefaults(Optional.empty(), Optional.empty(), List.of(),
        Map.of(), new LaunchDefaults.Imds(true, 1))).map(request, "t", "m");

    assertThat(anyType.allows("ec2:RunInstances", INSTANCE, instanceContext(strict))).isTrue();
    assertThat(anyType.allows("ec2:RunInstances", INSTANCE, instanceContext(v1)))
        .as("imds-v1 = allowed needs the MetadataHttpTokens condition taken out").isFalse();
    assertThat(anyType.allows("ec2:RunInstances", INSTANCE, instanceContext(strict.toBuilder()
        .metadataOptions((InstanceMetadataOptionsRequest) null).build()))).isFalse();
    assertThat(anyType.allows("ec2:RunInstances", INSTANCE, instanceContext(strict.toBuilder()
        .tagSpecifications(List.of()).build()))).isFalse();
    assertThat(policy.statementsFor("ec2:RunInstances")).filteredOn(s -> s.resources().contains(INSTANCE_ANY))
        .singleElement().satisfies(s -> assertThat(s.condition().path("StringEquals").path("ec2:MetadataHttpTokens")
            .asText()).isEqualTo("required"));
  }

  @Test
  void imagesMayComeOnlyFromYourAccountOrAmazon() {
    String image = "arn:aws:ec2:REGION::image/ami-0123456789abcdef0";

    assertThat(policy.allows("ec2:RunInstances", image, Map.of("ec2:Owner", List.of("amazon")))).isTrue();
    assertThat(policy.allows("ec2:RunInstances", image, Map.of("ec2:Owner", List.of(ACCOUNT)))).isTrue();
    assertThat(policy.allows("ec2:RunInstances", image, Map.of("ec2:Owner", List.of("210987654321"))))
        .as("someone else's public AMI").isFalse();
    assertThat(policy.allows("ec2:RunInstances", image, Map.of("ec2:Owner", List.of("aws-marketplace"))))
        .isFalse();
    assertThat(policy.allows("ec2:RunInstances", image, Map.of())).isFalse();
  }

  @Test
  void subnetsSecurityGroupsKeyPairsAndLaunchTemplatesAreOnlyTheOnesYouName() {
    Map<String, String> placeholders = Map.of(
        "subnet", "SUBNET-ID-YOU-ALLOW",
        "security-group", "SECURITY-GROUP-ID-YOU-ALLOW",
        "key-pair", "KEY-PAIR-NAME-YOU-ALLOW",
        "launch-template", "LAUNCH-TEMPLATE-ID-YOU-ALLOW");
    placeholders.forEach((type, placeholder) -> {
      String arn = "arn:aws:ec2:REGION:ACCOUNT:" + type + "/";
      assertThat(policy.allows("ec2:RunInstances", arn + placeholder, Map.of())).as(type).isTrue();
      assertThat(policy.allows("ec2:RunInstances", arn + "any-other-" + type)).as(type).isFalse();
      assertThat(policy.statementsFor("ec2:RunInstances")).flatExtracting(IamPolicy.Statement::resources)
          .as(type).noneMatch(r -> r.startsWith(arn) && r.contains("*"));
    });
  }

  /**
   * Issue 19: the instance type and market are conditions on the instance, so a launch template naming another type,
   * or a market other than on-demand and Spot, is refused by IAM even where the worker's lists cannot see it.
   */
  @Test
  void instancesMayHaveOnlyTheTypesYouNameAndOnlyTheOnDemandOrSpotMarket() throws IOException {
    IamPolicy.Statement onInstances = policy.statementsFor("ec2:RunInstances").stream()
        .filter(s -> s.resources().contains(INSTANCE_ANY)).findFirst().orElseThrow();
    assertThat(onInstances.condition().path("StringLike").path("ec2:InstanceType").get(0).asText())
        .isEqualTo(INSTANCE_TYPES);
    assertThat(onInstances.condition().path("StringEquals").path("ec2:InstanceMarketType"))
        .extracting(com.fasterxml.jackson.databind.JsonNode::asText).containsExactly("on-demand", "spot");

    RunInstancesRequest onDemand = mapped(SandboxHarness.request("t3.micro"));
    RunInstancesRequest spot = mapped("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"t3.micro\","
        + "\"market\":\"spot\"}");
    IamPolicy t3Only = IamPolicy.read(Map.of(INSTANCE_TYPES, "t3.*"));

    assertThat(policy.allows("ec2:RunInstances", INSTANCE, instanceContext(onDemand)))
        .as("closed until the placeholder is filled in").isFalse();
    assertThat(t3Only.allows("ec2:RunInstances", INSTANCE, instanceContext(onDemand))).isTrue();
    assertThat(t3Only.allows("ec2:RunInstances", INSTANCE, instanceContext(spot))).isTrue();
    assertThat(t3Only.allows("ec2:RunInstances", INSTANCE, instanceContext(onDemand.toBuilder()
        .instanceType("m7i.48xlarge").build()))).as("a type the glob does not match, say a template's").isFalse();
    Map<String, List<String>> capacityBlock = new HashMap<>(instanceContext(onDemand));
    capacityBlock.put("ec2:InstanceMarketType", List.of("capacity-block"));
    assertThat(t3Only.allows("ec2:RunInstances", INSTANCE, capacityBlock)).isFalse();
  }

  /**
   * Issue 19: every volume a launch creates, a template's included, must be encrypted and at most
   * {@code max-root-volume-gib} (1024 by default); no other statement lets RunInstances create a volume.
   */
  @Test
  void volumesMustBeEncryptedAndAtMostTheRootVolumeCap() {
    assertThat(policy.statementsFor("ec2:RunInstances")).filteredOn(s -> s.allows("ec2:RunInstances", VOLUME))
        .singleElement().satisfies(s -> {
          assertThat(s.condition().path("Bool").path("ec2:Encrypted").asText()).isEqualTo("true");
          assertThat(s.condition().path("NumericLessThanEquals").path("ec2:VolumeSize").asInt())
              .isEqualTo(LaunchPolicy.DEFAULT_MAX_ROOT_VOLUME_GIB);
        });
    RunInstancesRequest sized = mapped(SandboxHarness.AMI, "{\"sizeGiB\":1024}");

    assertThat(policy.allows("ec2:RunInstances", VOLUME, volumeContext(sized))).isTrue();
    assertThat(policy.allows("ec2:RunInstances", VOLUME, volumeContext(mapped(SandboxHarness.AMI,
        "{\"sizeGiB\":1025}")))).isFalse();
    assertThat(policy.allows("ec2:RunInstances", VOLUME, volumeContext(mapped(SandboxHarness.AMI,
        "{\"sizeGiB\":50,\"encrypted\":false}")))).isFalse();
    assertThat(policy.allows("ec2:RunInstances", VOLUME, Map.of("ec2:VolumeSize", List.of("8"))))
        .as("a volume not known to be encrypted").isFalse();
  }

  private static RunInstancesRequest mapped(String body) {
    LaunchRequest request = ((ReadResult.Accepted) new RequestReader(LaunchPolicy.permissive()).read(body)).request();
    return new RunInstancesMapper(LaunchDefaults.none()).map(request, "t", "m");
  }

  /** A request with this rootVolume on /dev/xvda, past the worker's own volume rules, to see what IAM says. */
  private static RunInstancesRequest mapped(String image, String rootVolume) {
    String body = "{\"imageId\":\"" + image + "\",\"rootVolume\":" + rootVolume.replace("}", ",\"deviceName\":"
        + "\"/dev/xvda\"}") + "}";
    LaunchRequest request = ((ReadResult.Accepted) new RequestReader(LaunchPolicy.permissive()
        .withRequireEncryptedVolumes(false).withMaxRootVolumeGib(16_384)).read(body)).request();
    return new RunInstancesMapper(LaunchDefaults.none()).map(request, "t", "m");
  }

  /** What IAM sees for the root volume a RunInstances request creates. */
  private static Map<String, List<String>> volumeContext(RunInstancesRequest launch) {
    var ebs = launch.blockDeviceMappings().get(0).ebs();
    return Map.of("ec2:Encrypted", List.of(String.valueOf(ebs.encrypted())),
        "ec2:VolumeSize", List.of(String.valueOf(ebs.volumeSize())));
  }

  /**
   * What IAM sees for the instance a RunInstances request creates: its instance tags, metadata options, type and
   * market.
   */
  private static Map<String, List<String>> instanceContext(RunInstancesRequest launch) {
    Map<String, List<String>> context = new HashMap<>();
    if (launch.instanceTypeAsString() != null) {
      context.put("ec2:InstanceType", List.of(launch.instanceTypeAsString()));
    }
    context.put("ec2:InstanceMarketType", List.of(launch.instanceMarketOptions() == null ? "on-demand"
        : launch.instanceMarketOptions().marketTypeAsString()));
    launch.tagSpecifications().stream().filter(t -> t.resourceType() == ResourceType.INSTANCE)
        .flatMap(t -> t.tags().stream())
        .forEach(tag -> context.put("aws:RequestTag/" + tag.key(), List.of(tag.value())));
    if (launch.metadataOptions() != null && launch.metadataOptions().httpTokens() != null) {
      context.put("ec2:MetadataHttpTokens", List.of(launch.metadataOptions().httpTokensAsString()));
    }
    return context;
  }

  @Test
  void createTagsIsOnlyAllowedAsPartOfRunInstancesOnTheResourcesTheWorkerTags() {
    List<IamPolicy.Statement> createTags = policy.statementsFor("ec2:CreateTags");
    LaunchRequest request = ((ReadResult.Accepted) new RequestReader(LaunchPolicy.permissive())
        .read(SandboxHarness.request("t3.micro"))).request();
    Set<ResourceType> tagged = new RunInstancesMapper(LaunchDefaults.none()).map(request, "t", "m")
        .tagSpecifications().stream().map(TagSpecification::resourceType).collect(Collectors.toSet());

    assertThat(createTags).hasSize(1);
    assertThat(createTags.get(0).condition().path("StringEquals").path("ec2:CreateAction").asText())
        .isEqualTo("RunInstances");
    assertThat(tagged).allSatisfy(type -> assertThat(policy.allows("ec2:CreateTags",
        "arn:aws:ec2:REGION:ACCOUNT:" + type + "/x")).as("CreateTags on %s", type).isTrue());
  }

  @Test
  void passRoleIsScopedToNamedRolesAndToEc2() {
    List<IamPolicy.Statement> passRole = policy.statementsFor("iam:PassRole");

    assertThat(passRole).singleElement().satisfies(s -> {
      assertThat(s.resources()).containsExactly("arn:aws:iam::ACCOUNT:role/INSTANCE-ROLES-YOU-ALLOW");
      assertThat(s.condition().path("StringEquals").path("iam:PassedToService").asText())
          .isEqualTo("ec2.amazonaws.com");
    });
  }

  @Test
  void theOperatingGuideLinksThePolicyInsteadOfCopyingIt() throws IOException {
    String guide = Files.readString(Path.of("src/site/markdown/operating.md"));
    String iamSection = guide.substring(guide.indexOf("### IAM permissions"));
    iamSection = iamSection.substring(0, iamSection.indexOf("\n## "));

    assertThat(iamSection).contains("docker/iam-policy.json)").doesNotContain("\"Statement\"");
  }
}
