package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.Ec2Clients.launch;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertError;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertErrorCode;
import static io.launchworker.sandbox.ec2.SpotMarketTest.spot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.launchworker.sandbox.ec2.Ec2Capacity.Limit;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;

/** Capacity refusals through a real SDK client that does not retry, so each refusal is one call. */
class CapacityTest extends EmulatorTest {
  private static final String NO_SPOT = "There is no Spot capacity available that matches your request.";

  private static String noOnDemand(String type, String zone, String others) {
    return "We currently do not have sufficient " + type + " capacity in the Availability Zone you requested ("
        + zone + "). Our system will be working on provisioning additional capacity. You can currently get "
        + type + " capacity by not specifying an Availability Zone in your request or choosing " + others + ".";
  }

  @Test
  void onDemandOutOfCapacityIsInsufficientInstanceCapacityWith500AndEc2sMessageInOneCall() {
    emulator.subnet("subnet-0aaa1111", "us-east-1a");
    emulator.capacity().limit("on-demand", "c5.large", "subnet-0aaa1111", 0);

    assertError(() -> ec2.runInstances(launch("t").instanceType("c5.large").subnetId("subnet-0aaa1111").build()),
        500, "InsufficientInstanceCapacity", noOnDemand("c5.large", "us-east-1a", "us-east-1b, us-east-1c"));

    assertThat(emulator.instances()).isEmpty();
    assertThat(emulator.stats().calls("RunInstances")).as("retries are off").isEqualTo(1);
    assertThat(emulator.stats().capacityRefusals("InsufficientInstanceCapacity")).isEqualTo(1);
  }

  @Test
  void spotOutOfCapacityHasTheSpotMessage() {
    emulator.capacity().limit("spot", "*", "*", 0);

    assertError(() -> ec2.runInstances(spot("t", "0.05").build()), 500, "InsufficientInstanceCapacity", NO_SPOT);
    assertThat(ec2.runInstances(launch("on-demand").build()).instances()).hasSize(1);
  }

  @Test
  void limitRunsOutAfterItsInstancesAndALaunchGetsFewerThanMaxCountLikeEc2() {
    emulator.capacity().limit("*", "t3.micro", "*", 3);

    RunInstancesResponse first = ec2.runInstances(launch("a").maxCount(2).build());
    RunInstancesResponse second = ec2.runInstances(launch("b").minCount(1).maxCount(5).build());

    assertThat(first.instances()).hasSize(2);
    assertThat(second.instances()).hasSize(1);
    assertErrorCode(() -> ec2.runInstances(launch("c").build()), "InsufficientInstanceCapacity", 500);
    assertThat(emulator.capacity().limits()).containsExactly(new Limit("*", "t3.micro", "*", 0));
    assertThat(emulator.instances()).hasSize(3);
  }

  @Test
  void launchWhoseMinCountExceedsWhatIsLeftLaunchesNothing() {
    emulator.capacity().limit("on-demand", "*", "*", 2);

    assertErrorCode(() -> ec2.runInstances(launch("a").minCount(3).maxCount(3).build()),
        "InsufficientInstanceCapacity", 500);

    assertThat(emulator.instances()).isEmpty();
    assertThat(emulator.capacity().limits()).extracting(Limit::launches).containsExactly(2);
  }

  @Test
  void concurrentLaunchesAgainstALimitOfNLaunchExactlyN() throws Exception {
    int callers = 16;
    int capacity = 5;
    emulator.capacity().limit("on-demand", "t3.micro", "*", capacity);

    List<Throwable> failures = new ArrayList<>();
    List<RunInstancesResponse> launched = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      CountDownLatch ready = new CountDownLatch(callers);
      List<Future<RunInstancesResponse>> futures = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        String token = "msg-" + i;
        futures.add(pool.submit(() -> {
          ready.countDown();
          ready.await(5, TimeUnit.SECONDS);
          return ec2.runInstances(launch(token).build());
        }));
      }
      for (Future<RunInstancesResponse> future : futures) {
        try {
          launched.add(future.get(10, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          failures.add(e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(launched).hasSize(capacity);
    assertThat(emulator.instances()).hasSize(capacity);
    assertThat(failures).hasSize(callers - capacity).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(
        Ec2Exception.class, x -> assertThat(x.awsErrorDetails().errorCode())
            .isEqualTo("InsufficientInstanceCapacity")));
    assertThat(emulator.stats().capacityRefusals()).isEqualTo(callers - capacity);
  }

  @Test
  void replayedTokenAfterCapacityRanOutStillReturnsItsReservation() {
    emulator.capacity().limit("*", "*", "*", 1);
    RunInstancesResponse first = ec2.runInstances(launch("msg-1").build());
    assertErrorCode(() -> ec2.runInstances(launch("msg-2").build()), "InsufficientInstanceCapacity", 500);

    RunInstancesResponse again = ec2.runInstances(launch("msg-1").build());

    assertThat(again.reservationId()).isEqualTo(first.reservationId());
    assertThat(emulator.instances()).hasSize(1);
    assertThat(emulator.stats().capacityRefusals()).isEqualTo(1);
  }

  @Test
  void refusedTokenLaunchesOnceCapacityIsBack() {
    emulator.capacity().limit("*", "*", "*", 0);
    assertErrorCode(() -> ec2.runInstances(launch("msg-1").build()), "InsufficientInstanceCapacity", 500);

    emulator.capacity().clear();

    assertThat(ec2.runInstances(launch("msg-1").build()).instances()).hasSize(1);
  }

  @Test
  void firstMatchingRuleDecidesInTheOrderAdded() {
    emulator.subnet("subnet-a", "us-east-1a");
    emulator.subnet("subnet-b", "us-east-1b");
    emulator.capacity()
        .limit("on-demand", "c5.large", "subnet-a", 1)
        .limit("on-demand", "c5.large", "*", 0)
        .limit("*", "*", "subnet-a", 0);

    ec2.runInstances(launch("a1").instanceType("c5.large").subnetId("subnet-a").build());
    assertError(() -> ec2.runInstances(launch("a2").instanceType("c5.large").subnetId("subnet-a").build()),
        500, "InsufficientInstanceCapacity", noOnDemand("c5.large", "us-east-1a", "us-east-1b, us-east-1c"));
    assertError(() -> ec2.runInstances(launch("b1").instanceType("c5.large").subnetId("subnet-b").build()),
        500, "InsufficientInstanceCapacity", noOnDemand("c5.large", "us-east-1b", "us-east-1a, us-east-1c"));
    assertErrorCode(() -> ec2.runInstances(launch("a3").instanceType("m5.large").subnetId("subnet-a").build()),
        "InsufficientInstanceCapacity", 500);
    assertThat(ec2.runInstances(launch("b2").instanceType("m5.large").subnetId("subnet-b").build()).instances())
        .hasSize(1);
  }

  @Test
  void wildcardSubnetMatchesALaunchWithoutSubnetButANamedOneDoesNot() {
    emulator.capacity().limit("on-demand", "*", "subnet-0aaa1111", 0);
    ec2.runInstances(launch("no-subnet").build());

    emulator.capacity().clear().limit("on-demand", "*", "*", 0);
    assertError(() -> ec2.runInstances(launch("no-subnet-2").build()), 500, "InsufficientInstanceCapacity",
        noOnDemand("t3.micro", "us-east-1a", "us-east-1b, us-east-1c"));
  }

  @Test
  void unsupportedInstanceTypeInAZoneIsUnsupportedWith400() {
    emulator.subnet("subnet-0ccc3333", "us-east-1c");
    emulator.capacity().unsupported("p5.48xlarge", "subnet-0ccc3333");

    assertError(() -> ec2.runInstances(launch("t").instanceType("p5.48xlarge").subnetId("subnet-0ccc3333").build()),
        400, "Unsupported", "Your requested instance type (p5.48xlarge) is not supported in your requested "
            + "Availability Zone (us-east-1c). Please retry your request by not specifying an Availability Zone "
            + "or choosing us-east-1a, us-east-1b.");
    assertThat(ec2.runInstances(launch("u").instanceType("p5.48xlarge").subnetId("subnet-other").build())
        .instances()).hasSize(1);
    assertThat(emulator.stats().capacityRefusals("Unsupported")).isEqualTo(1);
  }

  @Test
  void subnetWithoutFreeAddressesIsInsufficientFreeAddressesInSubnetWith400() {
    emulator.capacity().noFreeAddresses("subnet-0aaa1111");

    assertError(() -> ec2.runInstances(launch("t").subnetId("subnet-0aaa1111").build()),
        400, "InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet "
            + "'subnet-0aaa1111' to satisfy the requested number of instances.");
    assertThat(ec2.runInstances(launch("u").subnetId("subnet-0bbb2222").build()).instances()).hasSize(1);
  }

  @Test
  void spotMaxPriceBelowTheSpotPriceIsSpotMaxPriceTooLowWith400() {
    emulator.capacity().spotPrice("c5.large", new BigDecimal("0.0312"));

    assertError(() -> ec2.runInstances(spot("low", "0.01").instanceType("c5.large").build()),
        400, "SpotMaxPriceTooLow", "Your Spot request price of 0.01 is lower than the minimum required Spot "
            + "request fulfillment price of 0.0312.");
    assertThat(ec2.runInstances(spot("enough", "0.05").instanceType("c5.large").build()).instances()).hasSize(1);
    assertThat(ec2.runInstances(launch("no-max-price").instanceType("c5.large")
        .instanceMarketOptions(m -> m.marketType("spot")).build()).instances()).hasSize(1);
    assertThat(ec2.runInstances(spot("other-type", "0.01").build()).instances()).hasSize(1);
    assertThat(ec2.runInstances(launch("on-demand").instanceType("c5.large").build()).instances()).hasSize(1);
  }

  @Test
  void moreSpotInstancesThanTheLimitIsMaxSpotInstanceCountExceededAndTerminatedOnesDoNotCount() {
    emulator.capacity().spotInstanceLimit(2);
    RunInstancesResponse first = ec2.runInstances(spot("a", "0.05").maxCount(5).build());
    assertThat(first.instances()).as("capped at the room left").hasSize(2);

    assertError(() -> ec2.runInstances(spot("b", "0.05").build()), 400, "MaxSpotInstanceCountExceeded",
        "Max spot instance count exceeded");
    assertThat(ec2.runInstances(launch("on-demand").build()).instances()).hasSize(1);

    ec2.terminateInstances(t -> t.instanceIds(first.instances().get(0).instanceId()));
    assertThat(ec2.runInstances(spot("c", "0.05").build()).instances()).hasSize(1);
  }

  @Test
  void refusalsComeAfterInjectedFaultsAndTakeNoCapacityWhenAFaultAnswersFirst() {
    emulator.capacity().limit("*", "*", "*", 1);
    emulator.faults().failNext("RunInstances", "InternalError", 500, 1);

    assertErrorCode(() -> ec2.runInstances(launch("a").build()), "InternalError", 500);
    ec2.runInstances(launch("a").build());
    assertErrorCode(() -> ec2.runInstances(launch("b").build()), "InsufficientInstanceCapacity", 500);

    assertThat(emulator.stats().injectedErrors()).isEqualTo(1);
    assertThat(emulator.stats().capacityRefusals()).isEqualTo(1);
    assertThat(emulator.stats().injectedErrors("InsufficientInstanceCapacity")).isZero();
  }

  @Test
  void aRefusalIsAnsweredEvenWhenAnswersAreToBeDroppedBecauseOnlyLaunchesDropTheirAnswer() {
    emulator.capacity().limit("*", "*", "*", 0);
    emulator.faults().dropNextAnswersAfterLaunch(1);

    assertErrorCode(() -> ec2.runInstances(launch("a").build()), "InsufficientInstanceCapacity", 500);
    emulator.capacity().clear();
    assertThatThrownBy(() -> ec2.runInstances(launch("a").build())).isInstanceOf(SdkClientException.class)
        .isNotInstanceOf(Ec2Exception.class);

    assertThat(emulator.stats().droppedAnswers()).isEqualTo(1);
    assertThat(emulator.instances()).hasSize(1);
  }

  @Test
  void withClientTokensIgnoredEveryCallIsAFreshLaunchThatTakesCapacity() {
    emulator.faults().ignoreClientToken(true);
    emulator.capacity().limit("*", "*", "*", 2);

    ec2.runInstances(launch("msg-1").build());
    ec2.runInstances(launch("msg-1").build());
    assertErrorCode(() -> ec2.runInstances(launch("msg-1").build()), "InsufficientInstanceCapacity", 500);

    assertThat(emulator.instances()).hasSize(2);
  }

  @Test
  void invalidRequestIsRejectedBeforeCapacityAndNotCountedAsARefusal() {
    emulator.capacity().limit("*", "*", "*", 1);

    assertErrorCode(() -> ec2.runInstances(launch("a").minCount(2).maxCount(1).build()), "InvalidParameterValue", 400);

    assertThat(emulator.stats().capacityRefusals()).isZero();
    assertThat(emulator.capacity().limits()).extracting(Limit::launches).containsExactly(1);
  }

  @Test
  void applyAddsASpecsLimitsAfterTheExistingOnesAndClearRemovesEveryRule() {
    emulator.capacity().limit("spot", "c5.large", "*", 4)
        .apply("spot:*:*=0, on-demand:c5.large:subnet-0aaa1111=2")
        .unsupported("*", "*").noFreeAddresses("*").spotPrice("*", BigDecimal.TEN).spotInstanceLimit(0);

    assertThat(emulator.capacity().limits()).extracting(Limit::toString)
        .containsExactly("spot:c5.large:*=4", "spot:*:*=0", "on-demand:c5.large:subnet-0aaa1111=2");

    emulator.capacity().clear();
    assertThat(emulator.capacity().limits()).isEmpty();
    assertThat(ec2.runInstances(spot("t", "0.01").subnetId("subnet-1").build()).instances()).hasSize(1);
  }
}
