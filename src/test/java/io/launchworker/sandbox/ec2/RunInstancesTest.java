package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.Ec2Clients.launch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;

class RunInstancesTest extends EmulatorTest {
  @Test
  void launchReturnsRunningInstancesCarryingTheirTagsAndToken() {
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    RunInstancesResponse response = ec2.runInstances(launch("token-1").subnetId("subnet-1").keyName("key")
        .securityGroupIds("sg-1", "sg-2").minCount(2).maxCount(3).build());

    assertThat(response.reservationId()).matches("r-[0-9a-f]{17}");
    assertThat(response.ownerId()).isEqualTo("123456789012");
    assertThat(response.instances()).hasSize(3);
    Instance first = response.instances().get(0);
    assertThat(first.instanceId()).matches("i-[0-9a-f]{17}");
    assertThat(first.imageId()).isEqualTo("ami-12345678");
    assertThat(first.instanceTypeAsString()).isEqualTo("t3.micro");
    assertThat(first.state().name()).isEqualTo(InstanceStateName.RUNNING);
    assertThat(first.state().code()).isEqualTo(16);
    assertThat(first.clientToken()).isEqualTo("token-1");
    assertThat(first.subnetId()).isEqualTo("subnet-1");
    assertThat(first.keyName()).isEqualTo("key");
    assertThat(first.placement().availabilityZone()).isEqualTo("us-east-1b"); // subnet-1's hashed zone
    assertThat(first.launchTime()).isAfterOrEqualTo(before);
    assertThat(first.tags()).containsExactly(Tag.builder().key("Name").value("worker").build());
    assertThat(response.instances()).extracting(Instance::instanceId).doesNotHaveDuplicates();

    assertThat(emulator.instances()).hasSize(3).allSatisfy(instance -> {
      assertThat(instance.reservationId()).isEqualTo(response.reservationId());
      assertThat(instance.clientToken()).isEqualTo("token-1");
      assertThat(instance.state()).isEqualTo("running");
      assertThat(instance.tags()).isEqualTo(Map.of("Name", "worker"));
    });
  }

  @Test
  void instanceTypeDefaultsToM1SmallAndOnlyInstanceTagSpecificationsTagTheInstance() {
    RunInstancesResponse response = ec2.runInstances(RunInstancesRequest.builder()
        .imageId("ami-1").minCount(1).maxCount(1)
        .tagSpecifications(
            spec -> spec.resourceType("volume").tags(t -> t.key("disk").value("yes")),
            spec -> spec.resourceType("instance").tags(t -> t.key("team").value("a&b <c>"),
                t -> t.key("quote").value("it's \"x\"")))
        .build());

    assertThat(response.instances().get(0).instanceTypeAsString()).isEqualTo("m1.small");
    assertThat(emulator.instances().get(0).tags()).isEqualTo(Map.of("team", "a&b <c>", "quote", "it's \"x\""));
    assertThat(response.instances().get(0).tags()).extracting(Tag::value).contains("a&b <c>", "it's \"x\"");
  }

  @Test
  void missingImageWithoutLaunchTemplateIsMissingParameter() {
    assertErrorCode(() -> ec2.runInstances(RunInstancesRequest.builder().minCount(1).maxCount(1).build()),
        "MissingParameter", 400);
  }

  @Test
  void minCountAboveMaxCountOrBelowOneIsInvalidParameterValue() {
    assertErrorCode(() -> ec2.runInstances(launch("t").minCount(3).maxCount(2).build()), "InvalidParameterValue", 400);
    assertErrorCode(() -> ec2.runInstances(launch("t").minCount(0).maxCount(2).build()), "InvalidParameterValue", 400);
    assertThat(emulator.instances()).isEmpty();
  }

  @Test
  void clientTokenLongerThanSixtyFourCharactersIsInvalidParameterValue() {
    assertErrorCode(() -> ec2.runInstances(launch("x".repeat(65)).build()), "InvalidParameterValue", 400);
    assertThat(ec2.runInstances(launch("x".repeat(64)).build()).instances()).hasSize(1);
  }

  @Test
  void rejectedImageFailsWithTheConfiguredCodeAndLaunchesNothing() {
    emulator.rejectImage("ami-gone", "InvalidAMIID.NotFound");

    assertErrorCode(() -> ec2.runInstances(launch("t").imageId("ami-gone").build()), "InvalidAMIID.NotFound", 400);
    assertErrorCode(() -> ec2.runInstances(launch("t").imageId("not-an-ami").build()), "InvalidAMIID.Malformed", 400);
    assertThat(emulator.instances()).isEmpty();
    assertThat(ec2.runInstances(launch("t").build()).instances()).hasSize(1);
  }

  @Test
  void registeredLaunchTemplatesLaunchByIdOrNameAndUnknownOnesFail() {
    emulator.registerLaunchTemplate("lt-0123456789abcdef0", "workers");

    RunInstancesResponse byId = ec2.runInstances(RunInstancesRequest.builder().minCount(1).maxCount(1)
        .launchTemplate(LaunchTemplateSpecification.builder().launchTemplateId("lt-0123456789abcdef0")
            .version("$Latest").build())
        .build());
    RunInstancesResponse byName = ec2.runInstances(RunInstancesRequest.builder().minCount(1).maxCount(1)
        .launchTemplate(LaunchTemplateSpecification.builder().launchTemplateName("workers").build()).build());

    assertThat(byId.instances()).hasSize(1);
    assertThat(byName.instances()).hasSize(1);
    assertErrorCode(() -> ec2.runInstances(RunInstancesRequest.builder().minCount(1).maxCount(1)
            .launchTemplate(t -> t.launchTemplateId("lt-unknown")).build()),
        "InvalidLaunchTemplateId.NotFound", 400);
    assertErrorCode(() -> ec2.runInstances(RunInstancesRequest.builder().minCount(1).maxCount(1)
            .launchTemplate(t -> t.launchTemplateName("nobody")).build()),
        "InvalidLaunchTemplateName.NotFoundException", 400);
    assertThat(emulator.instances()).hasSize(2);
  }

  @Test
  void iamInstanceProfileUserDataAndSecurityGroupsAreAccepted() {
    RunInstancesResponse response = ec2.runInstances(launch("t")
        .iamInstanceProfile(p -> p.arn("arn:aws:iam::123456789012:instance-profile/worker"))
        .userData("IyEvYmluL3NoCmVjaG8gaGk=")
        .securityGroupIds("sg-1")
        .build());

    assertThat(response.instances()).hasSize(1);
  }

  /** Asserts the error as the SDK surfaces it: HTTP status, error code and message. */
  static void assertError(ThrowingCallable call, int status, String code, String message) {
    assertThatThrownBy(call).isInstanceOfSatisfying(Ec2Exception.class, e -> {
      assertThat(e.statusCode()).isEqualTo(status);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
      assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(message);
    });
  }

  static void assertErrorCode(ThrowingCallable call, String code, int status) {
    assertThatThrownBy(call).isInstanceOfSatisfying(Ec2Exception.class, e -> {
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
      assertThat(e.statusCode()).isEqualTo(status);
      assertThat(e.requestId()).isNotBlank();
    });
  }
}
