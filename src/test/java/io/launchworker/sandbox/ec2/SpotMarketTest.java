package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.Ec2Clients.launch;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertErrorCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;

class SpotMarketTest extends EmulatorTest {
  static RunInstancesRequest.Builder spot(String token, String maxPrice) {
    return launch(token).instanceMarketOptions(m -> m.marketType(MarketType.SPOT)
        .spotOptions(s -> s.maxPrice(maxPrice).spotInstanceType(SpotInstanceType.ONE_TIME)
            .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE)));
  }

  private List<Instance> describeAll() {
    return ec2.describeInstances().reservations().stream().flatMap(r -> r.instances().stream()).toList();
  }

  @Test
  void spotInstanceShowsSpotLifecycleAndASpotRequestInRunAndDescribeAnswers() {
    Instance launched = ec2.runInstances(spot("t", "0.05").build()).instances().get(0);

    assertThat(launched.instanceLifecycle()).isEqualTo(InstanceLifecycleType.SPOT);
    assertThat(launched.spotInstanceRequestId()).matches("sir-[0-9a-f]{8}");
    Instance described = describeAll().get(0);
    assertThat(described.instanceLifecycle()).isEqualTo(InstanceLifecycleType.SPOT);
    assertThat(described.spotInstanceRequestId()).isEqualTo(launched.spotInstanceRequestId());

    EmulatedInstance recorded = emulator.instances().get(0);
    assertThat(recorded.market()).isEqualTo("spot");
    assertThat(recorded.spot()).isTrue();
    assertThat(recorded.spotMaxPrice()).isEqualByComparingTo("0.05");
    assertThat(recorded.spotInstanceRequestId()).isEqualTo(launched.spotInstanceRequestId());
  }

  @Test
  void onDemandInstanceHasNoLifecycleElementLikeEc2() {
    Instance launched = ec2.runInstances(launch("t").build()).instances().get(0);

    assertThat(launched.instanceLifecycleAsString()).isNull();
    assertThat(launched.spotInstanceRequestId()).isNull();
    assertThat(describeAll().get(0).instanceLifecycleAsString()).isNull();
    assertThat(emulator.instances().get(0).market()).isEqualTo("on-demand");
    assertThat(emulator.instances().get(0).spotMaxPrice()).isNull();
  }

  @Test
  void spotWithoutMaxPriceRecordsNoPrice() {
    ec2.runInstances(launch("t").instanceMarketOptions(m -> m.marketType(MarketType.SPOT)).build());

    assertThat(emulator.instances().get(0).spot()).isTrue();
    assertThat(emulator.instances().get(0).spotMaxPrice()).isNull();
  }

  @Test
  void everySpotInstanceOfALaunchHasItsOwnSpotRequest() {
    List<Instance> launched = ec2.runInstances(spot("t", "0.05").maxCount(3).build()).instances();

    assertThat(launched).extracting(Instance::spotInstanceRequestId).doesNotHaveDuplicates().doesNotContainNull();
  }

  @Test
  void instanceLifecycleFilterFindsSpotInstancesOnly() {
    String spotId = ec2.runInstances(spot("a", "0.05").build()).instances().get(0).instanceId();
    ec2.runInstances(launch("b").build());

    List<String> ids = ec2.describeInstances(d -> d.filters(f -> f.name("instance-lifecycle").values("spot")))
        .reservations().stream().flatMap(r -> r.instances().stream()).map(Instance::instanceId).toList();

    assertThat(ids).containsExactly(spotId);
  }

  @Test
  void unknownMarketTypeOrBadMaxPriceIsInvalidParameterValueAndLaunchesNothing() {
    assertErrorCode(() -> ec2.runInstances(launch("a").instanceMarketOptions(m -> m.marketType("auction")).build()),
        "InvalidParameterValue", 400);
    assertErrorCode(() -> ec2.runInstances(spot("b", "cheap").build()), "InvalidParameterValue", 400);
    assertErrorCode(() -> ec2.runInstances(spot("c", "0").build()), "InvalidParameterValue", 400);

    assertThat(emulator.instances()).isEmpty();
  }

  @Test
  void anotherMarketUnderTheSameTokenIsIdempotentParameterMismatch() {
    ec2.runInstances(spot("t", "0.05").build());

    assertErrorCode(() -> ec2.runInstances(launch("t").build()), "IdempotentParameterMismatch", 400);
    assertThat(emulator.instances()).singleElement().satisfies(i -> assertThat(i.spotMaxPrice())
        .isEqualByComparingTo(new BigDecimal("0.05")));
  }
}
