package io.launchworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The walk's order and numbering: market, then type, then subnet, and positions a redeploy cannot shift. */
class LaunchShapeTest {
  private static final LaunchDefaults NONE = LaunchDefaults.none();

  private static LaunchRequest read(String body, LaunchDefaults defaults) {
    return ((ReadResult.Accepted) new RequestReader(LaunchPolicy.permissive(), defaults).read(body)).request();
  }

  @Test
  void spotThenOnDemandWalksEverySpotShapeFirstThenTypesThenSubnets() {
    LaunchRequest request = read("{\"imageId\":\"ami-0123456789abcdef0\",\"instanceTypes\":[\"c7i.large\","
        + "\"m7i.large\"],\"subnetIds\":[\"subnet-0aaa1111\",\"subnet-0bbb2222\"],\"market\":\"spot-then-on-demand\"}",
        NONE);

    assertThat(LaunchShape.walk(request, NONE)).extracting(LaunchShape::describe).containsExactly(
        "spot c7i.large subnet-0aaa1111", "spot c7i.large subnet-0bbb2222",
        "spot m7i.large subnet-0aaa1111", "spot m7i.large subnet-0bbb2222",
        "on-demand c7i.large subnet-0aaa1111", "on-demand c7i.large subnet-0bbb2222",
        "on-demand m7i.large subnet-0aaa1111", "on-demand m7i.large subnet-0bbb2222");
    assertThat(LaunchShape.walk(request, NONE)).extracting(LaunchShape::position)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void aRequestOfOneTypeAndNoSubnetHasOneOnDemandShapeWithTheDefaultsItAlwaysHad() {
    LaunchDefaults defaults = new LaunchDefaults(Optional.of("t3.small"), Optional.of("subnet-0ccc3333"), List.of(),
        Map.of());

    assertThat(LaunchShape.walk(read("{\"imageId\":\"ami-0123456789abcdef0\"}", defaults), defaults))
        .containsExactly(new LaunchShape(0, Market.ON_DEMAND, Optional.of("t3.small"), Optional.of("subnet-0ccc3333")));
    assertThat(LaunchShape.walk(read("{\"launchTemplate\":{\"name\":\"web\"}}", defaults), defaults))
        .containsExactly(new LaunchShape(0, Market.ON_DEMAND, Optional.empty(), Optional.empty()));
  }

  @Test
  void changedDefaultsBetweenTwoAttemptsLeaveTheShapesOfAListingRequestWhereTheyWere() {
    String body = "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceTypes\":[\"c7i.large\",\"m7i.large\"]}";
    LaunchDefaults before = new LaunchDefaults(Optional.of("t3.small"), Optional.of("subnet-0ccc3333"), List.of(),
        Map.of());
    LaunchDefaults after = new LaunchDefaults(Optional.of("t3.large"), Optional.of("subnet-0ccc3333"), List.of(),
        Map.of());

    assertThat(LaunchShape.walk(read(body, before), before)).isEqualTo(LaunchShape.walk(read(body, after), after));
  }
}
