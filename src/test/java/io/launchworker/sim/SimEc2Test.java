package io.launchworker.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.launchworker.launch.Ec2Port;
import io.launchworker.launch.Ec2Port.TokenFilter;
import io.launchworker.request.LaunchShape;
import io.launchworker.request.LaunchTags;
import io.launchworker.request.Market;
import io.launchworker.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.InstanceMarketOptionsRequest;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

class SimEc2Test {
  private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
  private final MutableClock clock = new MutableClock(START);
  private final SimEc2 ec2 = new SimEc2(clock, new SplittableRandom(11)).lag(LagModel.none());

  @Test
  void theSameTokenWithTheSameParametersReturnsTheFirstReservationAndLaunchesNothing() {
    Ec2Port.Reservation first = ec2.runInstances(request("t1", "m-1").toBuilder().dryRun(false).build());
    Ec2Port.Reservation again = ec2.runInstances(request("t1", "m-1"));
    assertEquals(first, again);
    assertEquals(1, ec2.instances().size());
    assertEquals(List.of(1, 0), ec2.runInstancesCallsByToken().get("t1").stream().map(RunCall::launched).toList());
  }

  @Test
  void theSameTokenFromAnotherMessageIsAParameterMismatch() {
    ec2.runInstances(request("t1", "m-1"));
    Ec2Exception e = assertThrows(Ec2Exception.class, () -> ec2.runInstances(request("t1", "m-2")));
    assertEquals(400, e.statusCode());
    assertEquals("IdempotentParameterMismatch", e.awsErrorDetails().errorCode());
    assertEquals(1, ec2.instances().size());
  }

  @Test
  void aLaunchShowsInEveryLookUpOnlyAfterItsLagOnTheClock() {
    ec2.lag(LagModel.fixed(Duration.ofSeconds(30)));
    ec2.runInstances(request("t1", "m-1"));
    List<Ec2Port.LaunchSpan> hour = List.of(Ec2Port.LaunchSpan.of(START, Ec2Port.LaunchSpan.Length.HOUR));
    assertTrue(ec2.findByToken("tok-t1", TokenFilter.TAG).isEmpty());
    assertTrue(ec2.findByToken("t1", TokenFilter.CLIENT_TOKEN).isEmpty());
    assertTrue(ec2.findByClientTokens(List.of("t1")).isEmpty());
    assertTrue(ec2.findTaggedLaunches(hour, Optional.empty()).instances().isEmpty());
    clock.advance(Duration.ofSeconds(30));
    Ec2Port.FoundInstance found = ec2.findByToken("tok-t1", TokenFilter.TAG).get(0);
    assertEquals(Optional.of("hash-m-1"), found.requestHash());
    assertEquals(1, ec2.findByToken("t1", TokenFilter.CLIENT_TOKEN).size());
    assertEquals(1, ec2.findByClientTokens(List.of("t1", "other")).size());
    Ec2Port.TaggedLaunch tagged = ec2.findTaggedLaunches(hour, Optional.empty()).instances().get(0);
    assertEquals("tok-t1", tagged.token());
    assertEquals("m-1", tagged.launchedWith().orElseThrow().workerTags().get(LaunchTags.MESSAGE_ID));
  }

  @Test
  void theTypicalLagIsMostlySecondsAndOccasionallyMinutes() {
    LagModel lag = LagModel.typical();
    SplittableRandom random = new SplittableRandom(1);
    List<Duration> draws = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      draws.add(lag.draw(random));
    }
    long withinFive = draws.stream().filter(d -> d.compareTo(Duration.ofSeconds(5)) <= 0).count();
    long overAMinute = draws.stream().filter(d -> d.compareTo(Duration.ofSeconds(60)) > 0).count();
    assertTrue(withinFive > 8_800 && withinFive < 9_200, "within 5 s: " + withinFive);
    assertTrue(overAMinute > 50 && overAMinute < 150, "over a minute: " + overAMinute);
    assertTrue(draws.stream().allMatch(d -> d.compareTo(Duration.ofMinutes(5)) <= 0));
  }

  @Test
  void aDryRunAnswersAllowedOrDeniedAndLaunchesNothingNorUsesTheToken() {
    assertTrue(ec2.dryRunAllowed(request("t1", "m-1")));
    Ec2Exception e = assertThrows(Ec2Exception.class,
        () -> ec2.runInstances(request("t1", "m-1").toBuilder().dryRun(true).build()));
    assertEquals(412, e.statusCode());
    assertEquals("DryRunOperation", e.awsErrorDetails().errorCode());
    ec2.faults().denyInstanceType("m5.large");
    assertFalse(ec2.dryRunAllowed(request("t1", "m-1")));
    assertEquals(403, assertThrows(Ec2Exception.class, () -> ec2.runInstances(request("t1", "m-1"))).statusCode());
    ec2.faults().allowAll();
    assertTrue(ec2.instances().isEmpty());
    assertEquals(3, ec2.dryRunCount());
    ec2.runInstances(request("t1", "m-2"));
    assertEquals(1, ec2.instances().size(), "no DryRun recorded the token");
  }

  @Test
  void anImageDeniedByIamRefusesOnlyLaunchesOfThatImage() {
    ec2.faults().denyImage("ami-1");
    Ec2Exception e = assertThrows(Ec2Exception.class, () -> ec2.runInstances(request("t1", "m-1")));
    assertEquals("UnauthorizedOperation", e.awsErrorDetails().errorCode());
    ec2.runInstances(request("t2", "m-2").toBuilder().imageId("ami-2").build());
    assertEquals(1, ec2.instances().size());
  }

  @Test
  void aPoolOutOfCapacityRefusesWithAFallbackCodeUntilItComesBack() {
    CapacityModel.Pool pool = new CapacityModel.Pool(Market.ON_DEMAND, "m5.large", "subnet-1");
    ec2.capacity().outOfCapacity(pool);
    Ec2Exception e = assertThrows(Ec2Exception.class, () -> ec2.runInstances(request("t1", "m-1")));
    assertEquals(500, e.statusCode());
    assertTrue(LaunchShape.isFallbackCode(e.awsErrorDetails().errorCode()));
    ec2.runInstances(request("t2", "m-2").toBuilder().subnetId("subnet-2").build());
    ec2.capacity().restore(pool).outOfCapacity(new CapacityModel.Pool(Market.SPOT, null, null))
        .spotRefusalCode("SpotMaxPriceTooLow");
    ec2.runInstances(request("t1", "m-1"));
    Ec2Exception spot = assertThrows(Ec2Exception.class, () -> ec2.runInstances(request("t3", "m-3").toBuilder()
        .instanceMarketOptions(InstanceMarketOptionsRequest.builder().marketType(MarketType.SPOT).build()).build()));
    assertEquals("SpotMaxPriceTooLow", spot.awsErrorDetails().errorCode());
    assertEquals(2, ec2.instances().size());
  }

  @Test
  void randomOutagesComeAndGoOnTheClock() {
    CapacityModel.Pool pool = new CapacityModel.Pool(Market.ON_DEMAND, "m5.large", "subnet-1");
    ec2.capacity().randomOutages(Duration.ofMinutes(10), Duration.ofMinutes(2));
    List<Boolean> seen = new ArrayList<>();
    for (int minute = 0; minute < 600; minute++) {
      seen.add(ec2.capacity().available(pool));
      clock.advance(Duration.ofMinutes(1));
    }
    long out = seen.stream().filter(available -> !available).count();
    assertTrue(out > 30 && out < 200, "minutes out of capacity: " + out);
  }

  @Test
  void runInstancesIsThrottledByEc2sBucketOnTheClock() {
    for (int i = 0; i < 5; i++) {
      ec2.runInstances(request("t" + i, "m-" + i));
    }
    Ec2Exception e = assertThrows(Ec2Exception.class, () -> ec2.runInstances(request("t5", "m-5")));
    assertEquals(503, e.statusCode());
    assertEquals("RequestLimitExceeded", e.awsErrorDetails().errorCode());
    clock.advance(Duration.ofMillis(500));
    ec2.runInstances(request("t5", "m-5"));
    assertThrows(Ec2Exception.class, () -> ec2.runInstances(request("t6", "m-6")));
    for (int i = 0; i < 100; i++) {
      ec2.findByToken("x", TokenFilter.TAG);
    }
    assertThrows(Ec2Exception.class, () -> ec2.rootDeviceName("ami-1"));
    assertEquals(6, ec2.instances().size());
  }

  @Test
  void aLostAnswerFollowsTheLaunchAndTheRetryFindsTheSameReservation() {
    ec2.faults().lostAnswerRate(1);
    assertThrows(SdkClientException.class, () -> ec2.runInstances(request("t1", "m-1")));
    assertEquals(1, ec2.instances().size());
    ec2.faults().clear().errorAfterLaunchRate(1);
    assertTrue(assertThrows(Ec2Exception.class, () -> ec2.runInstances(request("t1", "m-1"))).statusCode() >= 500);
    ec2.faults().clear().failNext(Ec2Operation.RUN_INSTANCES, 1);
    assertThrows(Ec2Exception.class, () -> ec2.runInstances(request("t2", "m-2")));
    assertEquals(1, ec2.instances().size(), "a failure before the launch launches nothing");
    ec2.faults().clear();
    assertEquals(ec2.instances().get(0).instanceId(),
        ec2.runInstances(request("t1", "m-1")).instances().get(0).instanceId());
  }

  @Test
  void accountFaultsStartAndStopPerOperation() {
    ec2.faults().accountFault("AuthFailure", Ec2Operation.DESCRIBE_INSTANCES);
    Ec2Exception e = assertThrows(Ec2Exception.class, () -> ec2.findByClientTokens(List.of("t1")));
    assertEquals(401, e.statusCode());
    ec2.runInstances(request("t1", "m-1"));
    ec2.faults().stopAccountFaults()
        .accountFaultBetween("UnauthorizedOperation", START.plusSeconds(60), START.plusSeconds(120));
    assertEquals(1, ec2.findByClientTokens(List.of("t1")).size());
    clock.advance(Duration.ofSeconds(60));
    assertFalse(ec2.dryRunAllowed(request("t2", "m-2")), "an account-wide denial denies the DryRun too");
    assertThrows(Ec2Exception.class, () -> ec2.rootDeviceName("ami-1"));
    clock.advance(Duration.ofSeconds(60));
    assertEquals(SimEc2.ROOT_DEVICE, ec2.rootDeviceName("ami-1"));
  }

  @Test
  void aTerminatedInstancesTokenAnswersIdempotentInstanceTerminated() {
    String id = ec2.runInstances(request("t1", "m-1")).instances().get(0).instanceId();
    ec2.terminate(id);
    Ec2Exception e = assertThrows(Ec2Exception.class, () -> ec2.runInstances(request("t1", "m-1")));
    assertEquals("IdempotentInstanceTerminated", e.awsErrorDetails().errorCode());
    assertEquals("terminated", ec2.findByToken("tok-t1", TokenFilter.TAG).get(0).state());
  }

  @Test
  void oneSeedReplaysARunExactly() {
    assertEquals(run(5), run(5));
    assertNotEquals(run(5), run(6));
  }

  /** A run with lag, random outages and faults: every call's answer, then what EC2 holds. */
  private static List<String> run(long seed) {
    MutableClock clock = new MutableClock(START);
    SimEc2 ec2 = new SimEc2(clock, new SplittableRandom(seed));
    ec2.capacity().randomOutages(Duration.ofSeconds(20), Duration.ofSeconds(10));
    ec2.faults().errorRate(Ec2Operation.RUN_INSTANCES, 0.1).lostAnswerRate(0.1).errorAfterLaunchRate(0.1)
        .errorRate(Ec2Operation.DESCRIBE_INSTANCES, 0.1);
    List<String> transcript = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      int n = i % 15;
      try {
        transcript.add(ec2.runInstances(request("t" + n, "m-" + n)).toString());
        transcript.add(ec2.findByToken("tok-t" + n, TokenFilter.TAG).toString());
      } catch (RuntimeException e) {
        transcript.add(e.getClass().getSimpleName() + " " + e.getMessage());
      }
      clock.advance(Duration.ofMillis(700));
    }
    transcript.add(ec2.instances().toString());
    transcript.add(ec2.runInstancesCalls().toString());
    return transcript;
  }

  /** A launch of one m5.large from ami-1 in subnet-1, tagged as the worker tags it. */
  private static RunInstancesRequest request(String clientToken, String messageId) {
    List<Tag> tags = List.of(Tag.builder().key("team").value("ci").build(),
        Tag.builder().key(LaunchTags.TOKEN).value("tok-" + clientToken).build(),
        Tag.builder().key(LaunchTags.MESSAGE_ID).value(messageId).build(),
        Tag.builder().key(LaunchTags.REQUEST_HASH).value("hash-" + messageId).build());
    return RunInstancesRequest.builder().clientToken(clientToken).imageId("ami-1").instanceType("m5.large")
        .subnetId("subnet-1").minCount(1).maxCount(1)
        .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build(),
            TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tags).build())
        .build();
  }
}
