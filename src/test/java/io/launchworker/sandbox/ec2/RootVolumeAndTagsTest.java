package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.Ec2Clients.launch;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertError;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertErrorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.sandbox.ec2.EmulatedInstance.RootVolume;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.VolumeType;

class RootVolumeAndTagsTest extends EmulatorTest {
  private static RunInstancesRequest.Builder withRoot(String token, String device,
      Consumer<EbsBlockDevice.Builder> ebs) {
    return launch(token).blockDeviceMappings(b -> b.deviceName(device).ebs(ebs));
  }

  @Test
  void mappingOnTheImagesRootDeviceIsRecordedAsTheRootVolume() {
    ec2.runInstances(withRoot("t", "/dev/xvda",
        e -> e.volumeSize(40).volumeType(VolumeType.GP3).encrypted(true).deleteOnTermination(false)).build());

    assertThat(emulator.instances().get(0).rootVolume())
        .isEqualTo(new RootVolume("/dev/xvda", 40, "gp3", true, false));
  }

  @Test
  void fieldsLeftOutAreNullBecauseEc2TakesThemFromTheImage() {
    ec2.runInstances(withRoot("t", "/dev/xvda", e -> e.volumeSize(30)).build());

    assertThat(emulator.instances().get(0).rootVolume()).isEqualTo(new RootVolume("/dev/xvda", 30, null, null, null));
  }

  @Test
  void mappingOnAnotherDeviceThanTheImagesRootIsNotTheRootVolume() {
    emulator.image("ami-ubuntu", "/dev/sda1");

    ec2.runInstances(withRoot("a", "/dev/sda1", e -> e.volumeSize(30)).build());
    ec2.runInstances(withRoot("b", "/dev/sda1", e -> e.volumeSize(30)).imageId("ami-ubuntu").build());
    ec2.runInstances(launch("c").build());

    assertThat(emulator.instances()).extracting(EmulatedInstance::rootVolume)
        .containsExactly(null, new RootVolume("/dev/sda1", 30, null, null, null), null);
  }

  @Test
  void unknownVolumeTypeIsInvalidParameterValue() {
    assertError(() -> ec2.runInstances(withRoot("t", "/dev/xvda", e -> e.volumeType("gp9")).build()),
        400, "InvalidParameterValue",
        "Value (gp9) for parameter volumeType is invalid. "
            + "Valid volume types are gp2, gp3, io1, io2, st1, sc1, standard.");
    assertThat(emulator.instances()).isEmpty();
  }

  @Test
  void volumeSizeOutsideItsTypesRangeIsInvalidParameterValue() {
    assertError(() -> ec2.runInstances(withRoot("a", "/dev/xvda", e -> e.volumeSize(0).volumeType("gp3")).build()),
        400, "InvalidParameterValue",
        "Value (0) for parameter volumeSize of /dev/xvda is invalid. A gp3 volume must be from 1 to 16384 GiB.");
    assertErrorCode(() -> ec2.runInstances(withRoot("b", "/dev/xvda", e -> e.volumeSize(16385)).build()),
        "InvalidParameterValue", 400);
    assertErrorCode(() -> ec2.runInstances(withRoot("c", "/dev/xvda", e -> e.volumeSize(100).volumeType("st1"))
        .build()), "InvalidParameterValue", 400);

    ec2.runInstances(withRoot("d", "/dev/xvda", e -> e.volumeSize(16384).volumeType("gp2")).build());
    assertThat(emulator.instances()).singleElement()
        .satisfies(i -> assertThat(i.rootVolume().sizeGiB()).isEqualTo(16384));
  }

  @Test
  void oneDeviceInTwoMappingsIsInvalidBlockDeviceMapping() {
    assertErrorCode(() -> ec2.runInstances(launch("t").blockDeviceMappings(
            b -> b.deviceName("/dev/xvda").ebs(e -> e.volumeSize(10)),
            b -> b.deviceName("/dev/xvda").ebs(e -> e.volumeSize(20))).build()),
        "InvalidBlockDeviceMapping", 400);
  }

  @Test
  void volumeAndNetworkInterfaceTagsAreRecordedApartFromTheInstanceTags() {
    ec2.runInstances(launch("t").tagSpecifications(
            s -> s.resourceType(ResourceType.INSTANCE).tags(t -> t.key("Name").value("worker")),
            s -> s.resourceType(ResourceType.VOLUME).tags(t -> t.key("backup").value("daily")),
            s -> s.resourceType(ResourceType.NETWORK_INTERFACE).tags(t -> t.key("eni").value("primary")),
            s -> s.resourceType(ResourceType.SPOT_INSTANCES_REQUEST).tags(t -> t.key("sir").value("kept-nowhere")))
        .build());

    EmulatedInstance instance = emulator.instances().get(0);
    assertThat(instance.tags()).isEqualTo(Map.of("Name", "worker"));
    assertThat(instance.volumeTags()).isEqualTo(Map.of("backup", "daily"));
    assertThat(instance.networkInterfaceTags()).isEqualTo(Map.of("eni", "primary"));
  }

  @Test
  void resourceTypeRunInstancesCannotTagIsInvalidParameterValue() {
    assertError(() -> ec2.runInstances(launch("t")
            .tagSpecifications(s -> s.resourceType(ResourceType.IMAGE).tags(t -> t.key("k").value("v"))).build()),
        400, "InvalidParameterValue", "'image' is not a valid taggable resource type for this operation. "
            + "RunInstances tags instance, volume, network-interface, spot-instances-request.");
    assertThat(emulator.instances()).isEmpty();
  }
}
