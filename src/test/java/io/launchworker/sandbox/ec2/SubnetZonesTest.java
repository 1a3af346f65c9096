package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.Ec2Clients.launch;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Instance;

class SubnetZonesTest extends EmulatorTest {
  private Instance launchIn(String token, String subnetId) {
    return ec2.runInstances(launch(token).subnetId(subnetId).build()).instances().get(0);
  }

  private Instance described(String instanceId) {
    return ec2.describeInstances(d -> d.instanceIds(instanceId)).reservations().get(0).instances().get(0);
  }

  @Test
  void registeredSubnetPlacesItsInstancesInItsZone() {
    emulator.subnet("subnet-0aaa1111", "us-east-1d");

    Instance launched = launchIn("t", "subnet-0aaa1111");

    assertThat(launched.placement().availabilityZone()).isEqualTo("us-east-1d");
    assertThat(launched.subnetId()).isEqualTo("subnet-0aaa1111");
    assertThat(described(launched.instanceId()).placement().availabilityZone()).isEqualTo("us-east-1d");
    assertThat(emulator.instances().get(0).availabilityZone()).isEqualTo("us-east-1d");
    assertThat(emulator.instances().get(0).subnetId()).isEqualTo("subnet-0aaa1111");
  }

  @Test
  void unregisteredSubnetsLandInOneOfThreeZonesTheSameOnEveryLaunch() {
    List<String> subnets = List.of("subnet-1", "subnet-2", "subnet-3", "subnet-0aaa1111", "subnet-0bbb2222");
    List<String> zones = subnets.stream().map(s -> launchIn("first-" + s, s).placement().availabilityZone()).toList();
    List<String> again = subnets.stream().map(s -> launchIn("again-" + s, s).placement().availabilityZone()).toList();

    assertThat(zones).isEqualTo(again).containsOnly("us-east-1a", "us-east-1b", "us-east-1c");
    assertThat(zones).as("String.hashCode modulo 3, stable across JVMs")
        .containsExactly("us-east-1b", "us-east-1c", "us-east-1a", "us-east-1b", "us-east-1c");
  }

  @Test
  void launchWithoutSubnetIsInUsEast1a() {
    Instance launched = ec2.runInstances(launch("t").build()).instances().get(0);

    assertThat(launched.subnetId()).isNull();
    assertThat(launched.placement().availabilityZone()).isEqualTo("us-east-1a");
    assertThat(emulator.instances().get(0).availabilityZone()).isEqualTo("us-east-1a");
  }

  @Test
  void availabilityZoneFilterSelectsByZone() {
    emulator.subnet("subnet-east-d", "us-east-1d");
    String inD = launchIn("a", "subnet-east-d").instanceId();
    launchIn("b", null);

    List<String> ids = ec2.describeInstances(d -> d.filters(f -> f.name("availability-zone").values("us-east-1d")))
        .reservations().stream().flatMap(r -> r.instances().stream()).map(Instance::instanceId).toList();

    assertThat(ids).containsExactly(inD);
  }
}
