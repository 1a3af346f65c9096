package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Through the worker, ElasticMQ and the EC2 emulator: what the allow-lists cannot see is refused, not left to EC2.
 * Each refused request lands in the DLQ with its reason and launches nothing.
 */
class LeastPrivilegePolicyTest {
  private static final String AMI = SandboxHarness.AMI;
  private static final String TEMPLATE_ID = "lt-0123456789abcdef0";
  private static final String ROGUE_TEMPLATE_ID = "lt-0fedcba9876543210";
  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  private Map<String, String> dlqReasonsByToken() {
    return harness.drainDlq().stream().collect(Collectors.toMap(
        m -> m.messageAttributes().get("launch-worker-token").stringValue(),
        m -> m.messageAttributes().get("launch-worker-reason").stringValue()));
  }

  @Test
  void aRequestWithoutInstanceTypeIsRejectedInsteadOfLaunchingEc2sDefaultTypePastTheAllowList() {
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.allowed-instance-types", List.of("t3.*"));
      return o;
    }));
    String untyped = harness.send("{\"imageId\":\"" + AMI + "\"}");

    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(dlqReasonsByToken()).containsExactly(Map.entry(untyped, "instance_type_required"));
    assertThat(harness.ec2().stats().calls("RunInstances")).isZero();
    assertThat(harness.ec2().stats().instancesLaunched()).isZero();
    assertThat(worker.outcomes("rejected", "instance_type_required")).isEqualTo(1);

    String typed = harness.send(SandboxHarness.request("t3.micro"));
    harness.awaitDrained(Duration.ofSeconds(10));
    assertThat(harness.instancesByToken()).containsOnlyKeys(typed);
  }

  @Test
  void withADefaultInstanceTypeTheSameRequestLaunchesTheDefaultNeverEc2sOwn() {
    harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.allowed-instance-types", List.of("t3.*"));
      o.put("launcher.defaults.instance-type", "t3.nano");
      return o;
    }));
    String untyped = harness.send("{\"imageId\":\"" + AMI + "\"}");

    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.instancesByToken().get(untyped)).singleElement()
        .satisfies(i -> assertThat(i.instanceType()).isEqualTo("t3.nano"));
  }

  @Test
  void launchTemplatesAreRefusedUnlessListedAndAListedOneLaunches() {
    harness.ec2().registerLaunchTemplate(TEMPLATE_ID, "web");
    harness.ec2().registerLaunchTemplate(ROGUE_TEMPLATE_ID, "rogue");
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.allowed-launch-templates", List.of("web"));
      return o;
    }));
    String rogueByName = harness.send("{\"launchTemplate\":{\"name\":\"rogue\"}}");
    String rogueById = harness.send("{\"launchTemplate\":{\"id\":\"" + ROGUE_TEMPLATE_ID + "\"}}");
    // The list holds the name "web": the same template by its ID is another entry to configure.
    String webById = harness.send("{\"launchTemplate\":{\"id\":\"" + TEMPLATE_ID + "\"}}");
    String web = harness.send("{\"launchTemplate\":{\"name\":\"web\"}}");

    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(dlqReasonsByToken()).containsOnly(Map.entry(rogueByName, "launch_template_not_allowed"),
        Map.entry(rogueById, "launch_template_not_allowed"), Map.entry(webById, "launch_template_not_allowed"));
    assertThat(harness.instancesByToken()).containsOnlyKeys(web);
    assertThat(harness.ec2().stats().calls("RunInstances")).isEqualTo(1);
    assertThat(worker.outcomes("rejected", "launch_template_not_allowed")).isEqualTo(3);
  }

  @Test
  void withTheBuiltInConfigurationNoLaunchTemplateLaunches() {
    harness.ec2().registerLaunchTemplate(TEMPLATE_ID, "web");
    harness.startWorker();
    String web = harness.send("{\"launchTemplate\":{\"name\":\"web\"}}");

    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(dlqReasonsByToken()).containsExactly(Map.entry(web, "launch_template_not_allowed"));
    assertThat(harness.ec2().stats().instancesLaunched()).isZero();
  }

  @Test
  void securityGroupsKeyPairsAndInstanceProfilesOutsideTheirListsAreRejected() {
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.allowed-security-group-ids", List.of("sg-0123456789abcdef0"));
      o.put("launcher.policy.allowed-key-names", List.of("ci-*"));
      o.put("launcher.policy.allowed-instance-profiles", List.of("runner"));
      o.put("launcher.defaults.security-group-ids", List.of("sg-0123456789abcdef0"));
      return o;
    }));
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put(harness.send("{\"imageId\":\"" + AMI + "\",\"securityGroupIds\":[\"sg-0123456789abcdef0\","
        + "\"sg-0fedcba9876543210\"]}"), "security_group_not_allowed");
    expected.put(harness.send("{\"imageId\":\"" + AMI + "\",\"keyName\":\"prod-admin\"}"), "key_name_not_allowed");
    expected.put(harness.send("{\"imageId\":\"" + AMI + "\",\"iamInstanceProfile\":{\"arn\":"
        + "\"arn:aws:iam::123456789012:instance-profile/runner/admin\"}}"), "instance_profile_not_allowed");
    String fine = harness.send("{\"imageId\":\"" + AMI + "\",\"keyName\":\"ci-runner\","
        + "\"iamInstanceProfile\":{\"arn\":\"arn:aws:iam::123456789012:instance-profile/ci/runner\"}}");

    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(dlqReasonsByToken()).isEqualTo(expected);
    assertThat(harness.instancesByToken()).containsOnlyKeys(fine);
    assertThat(harness.ec2().stats().calls("RunInstances")).isEqualTo(1);
    assertThat(worker.outcomes("rejected")).isEqualTo(3);
  }

  @Test
  void theDeadLetteredBodyOfAPolicyRejectionIsTheBodyAsSent() {
    harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.allowed-subnet-ids", List.of("subnet-0123456789abcdef0"));
      return o;
    }));
    String body = "{\"imageId\":\"" + AMI + "\",\"instanceType\":\"t3.micro\"}";
    harness.send(body);

    harness.awaitDrained(Duration.ofSeconds(20));

    List<Message> dead = harness.drainDlq();
    assertThat(dead).singleElement().satisfies(m -> {
      assertThat(m.body()).isEqualTo(body);
      assertThat(m.messageAttributes().get("launch-worker-reason").stringValue()).isEqualTo("subnet_required");
      assertThat(m.messageAttributes().get("launch-worker-detail").stringValue()).contains("default VPC");
    });
    assertThat(harness.ec2().stats().instancesLaunched()).isZero();
  }

  @Test
  void everyLaunchRequiresImdsV2TemplateLaunchesIncluded() {
    harness.ec2().registerLaunchTemplate(TEMPLATE_ID, "web");
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.policy.allowed-launch-templates", List.of("web"));
      return o;
    }));
    harness.sendMany(6, i -> i % 2 == 0 ? SandboxHarness.request("t3.micro")
        : "{\"launchTemplate\":{\"name\":\"web\"},\"maxCount\":2}");

    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(worker.outcomes("launched")).isEqualTo(6);
    assertThat(harness.metadataOptions()).hasSize(9).allSatisfy((id, imds) -> {
      assertThat(imds.httpTokens()).as(id).isEqualTo(HttpTokensState.REQUIRED);
      assertThat(imds.httpEndpoint()).as(id).isEqualTo(InstanceMetadataEndpointState.ENABLED);
      assertThat(imds.httpPutResponseHopLimit()).as(id).isEqualTo(1);
    });
  }

  @Test
  void imdsV1AllowedSwitchesTokensToOptionalAndTheHopLimitIsConfigurable() {
    harness.startWorker(harness.config(o -> {
      o.put("launcher.defaults.imds-v1", "allowed");
      o.put("launcher.defaults.imds-hop-limit", 2);
      return o;
    }));
    harness.send(SandboxHarness.request("t3.micro"));

    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(harness.metadataOptions().values()).singleElement().satisfies(imds -> {
      assertThat(imds.httpTokens()).isEqualTo(HttpTokensState.OPTIONAL);
      assertThat(imds.httpPutResponseHopLimit()).isEqualTo(2);
    });
  }
}
