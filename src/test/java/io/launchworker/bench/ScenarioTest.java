package io.launchworker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.sandbox.ec2.Ec2Capacity;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ScenarioTest {
  private static Scenario scenario(Optional<Bucket> ec2Bucket, Optional<Bucket> rate, int workers) {
    return new Scenario(100, Ec2Latency.parse("0ms"), ec2Bucket, rate, 16, workers, false, false,
        Duration.ofMinutes(1));
  }

  @Test
  void everyWorkersCeilingIsTheWholeEc2BucketAsTheDocsAdvise() {
    assertThat(scenario(Optional.of(Bucket.parse("50/20")), Optional.empty(), 4).workerBudget())
        .isEqualTo(new Bucket(50, 20.0));
  }

  @Test
  void explicitRateWinsOverTheEc2Bucket() {
    assertThat(scenario(Optional.of(Bucket.parse("50/20")), Optional.of(Bucket.parse("5/2")), 4).workerBudget())
        .isEqualTo(new Bucket(5, 2.0));
  }

  @Test
  void withoutAnyBucketTheBudgetIsEffectivelyUnlimited() {
    assertThat(scenario(Optional.empty(), Optional.empty(), 1).workerBudget().toString()).isEqualTo("unlimited");
  }

  @Test
  void severalWorkersAlwaysRunAsChildProcesses() {
    assertThat(scenario(Optional.empty(), Optional.empty(), 2).childProcesses()).isTrue();
    assertThat(scenario(Optional.empty(), Optional.empty(), 1).childProcesses()).isFalse();
  }

  private static Scenario capacityScenario(String capacity, List<String> instanceTypes) {
    return new Scenario(100, Ec2Latency.parse("0ms"), Optional.empty(), Optional.empty(), 16, 1, false, false,
        Duration.ofMinutes(1), Ec2Capacity.parse(capacity), instanceTypes);
  }

  @Test
  void withCapacityButNoInstanceTypesRequestsListThreeTypesToFallBackThrough() {
    assertThat(capacityScenario("on-demand:t3.large:*=0", List.of()).requestInstanceTypes())
        .containsExactly("t3.large", "t3.medium", "t3.small");
    assertThat(capacityScenario("on-demand:t3.large:*=0", List.of("m7i.large", "m6i.large")).requestInstanceTypes())
        .containsExactly("m7i.large", "m6i.large");
    assertThat(capacityScenario("", List.of()).requestInstanceTypes()).as("no capacity: one type, as before")
        .isEmpty();
  }

  @Test
  void instanceTypesAreHeldToTheRulesOfARequestsInstanceTypes() {
    assertThatThrownBy(() -> capacityScenario("", List.of("t3.micro", "T3 LARGE")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--instance-types t3.micro,T3 LARGE: ");
    List<String> eleven = IntStream.rangeClosed(1, 11).mapToObj(i -> "m" + i + ".large").toList();
    assertThatThrownBy(() -> capacityScenario("", eleven)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--instance-types ");
  }

  @Test
  void requestsListTheInstanceTypesInOrderOrNameOneTypeWithoutThem() throws Exception {
    JsonNode listing = new ObjectMapper().readTree(RequestSender.body(7, List.of("t3.large", "t3.medium")));
    JsonNode single = new ObjectMapper().readTree(RequestSender.body(8, List.of()));

    assertThat(listing.get("instanceTypes")).extracting(JsonNode::asText).containsExactly("t3.large", "t3.medium");
    assertThat(listing.has("instanceType")).isFalse();
    assertThat(listing.get("requestId").asText()).isEqualTo("bench-7");
    assertThat(single.get("instanceType").asText()).isEqualTo("t3.micro");
    assertThat(single.has("instanceTypes")).isFalse();
  }

  @Test
  void percentilesUseNearestRank() {
    double[] sample = new double[100];
    for (int i = 0; i < 100; i++) {
      sample[i] = 100 - i;
    }
    Timeline.Percentiles p = Timeline.Percentiles.of(sample);
    assertThat(p.p50()).isEqualTo(50);
    assertThat(p.p99()).isEqualTo(99);
    assertThat(Timeline.Percentiles.of(new double[0]).count()).isZero();
  }
}
