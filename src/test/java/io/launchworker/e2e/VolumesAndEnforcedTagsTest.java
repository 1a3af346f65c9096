package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.sandbox.ec2.EmulatedInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, secure by default, through the worker, ElasticMQ and the EC2 emulator over the real SDK: a root volume
 * goes on the image's root device and is encrypted, or the request is dead-lettered without a launch; tags that
 * matter are on the instance, its volumes and its interfaces, whatever the request says.
 */
class VolumesAndEnforcedTagsTest {
  private static final String AMI = SandboxHarness.AMI;
  private static final String UBUNTU = "ami-0fedcba9876543210";
  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  private static String withRootVolume(String image, String rootVolume) {
    return "{\"imageId\":\"" + image + "\",\"instanceType\":\"t3.micro\",\"rootVolume\":" + rootVolume + "}";
  }

  private static String withTags(String tags) {
    return "{\"imageId\":\"" + AMI + "\",\"instanceType\":\"t3.micro\",\"tags\":" + tags + "}";
  }

  private Map<String, String> dlqReasonsByToken() {
    return harness.drainDlq().stream().collect(Collectors.toMap(
        m -> m.messageAttributes().get("launch-worker-token").stringValue(),
        m -> m.messageAttributes().get("launch-worker-reason").stringValue()));
  }

  @Test
  void aRootVolumeOffTheImagesRootDeviceOrUnencryptedIsDeadLetteredAndLaunchesNothing() {
    harness.ec2().image(UBUNTU, "/dev/sda1");
    harness.startWorker();

    // Before: a second, 50 GiB volume on /dev/sdf next to an untouched root; an unencrypted root volume.
    String offTheRoot = harness.send(withRootVolume(AMI, "{\"sizeGiB\":50,\"deviceName\":\"/dev/sdf\"}"));
    String unencrypted = harness.send(withRootVolume(AMI, "{\"sizeGiB\":50,\"encrypted\":false}"));
    String onTheRoot = harness.send(withRootVolume(UBUNTU, "{\"sizeGiB\":50,\"deviceName\":\"/dev/sda1\"}"));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(dlqReasonsByToken()).containsOnly(Map.entry(offTheRoot, "root_device_mismatch"),
        Map.entry(unencrypted, "unencrypted_volume"));
    assertThat(harness.instancesByToken()).containsOnlyKeys(onTheRoot);
    assertThat(harness.instancesByToken().get(onTheRoot)).singleElement().satisfies(i ->
        assertThat(i.rootVolume()).isEqualTo(new EmulatedInstance.RootVolume("/dev/sda1", 50, "gp3", true, true)));
    assertThat(harness.ec2().stats().calls("RunInstances")).isEqualTo(1);
  }

  @Test
  void enforcedTagsAreOnTheInstanceItsVolumesAndInterfacesAndARequestCannotOverrideThem() {
    harness.startWorker(harness.config(o -> {
      o.put("launcher.defaults.tags", Map.of("CostCenter", "shared", "env", "dev"));
      o.put("launcher.tags.enforced", Map.of("CostCenter", "4711", "owner-team", "platform"));
      o.put("launcher.policy.allowed-tag-keys", List.of("team", "env"));
      return o;
    }));

    String allowed = harness.send(withTags("{\"team\":\"ci\",\"env\":\"prod\"}"));
    String overriding = harness.send(withTags("{\"team\":\"ci\",\"CostCenter\":\"someone-else\"}"));
    String unlisted = harness.send(withTags("{\"owner\":\"me\"}"));
    harness.awaitDrained(Duration.ofSeconds(20));

    assertThat(dlqReasonsByToken()).containsOnly(Map.entry(overriding, "enforced_tag"),
        Map.entry(unlisted, "tag_key_not_allowed"));
    assertThat(harness.instancesByToken()).containsOnlyKeys(allowed);
    EmulatedInstance instance = harness.instancesByToken().get(allowed).get(0);
    for (Map<String, String> tags : List.of(instance.tags(), instance.volumeTags(), instance.networkInterfaceTags())) {
      assertThat(tags).containsEntry("CostCenter", "4711").containsEntry("owner-team", "platform")
          .containsEntry("team", "ci").containsEntry("env", "prod").containsEntry("launch-worker:token", allowed);
    }
  }
}
