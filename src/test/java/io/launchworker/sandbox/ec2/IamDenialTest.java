package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.Ec2Clients.launch;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertError;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertErrorCode;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;

/**
 * IAM saying no: RunInstances denied for one request shape (a policy condition on the instance type or the
 * image), and account-wide denials that start and stop.
 */
class IamDenialTest extends EmulatorTest {
  private static final String NOT_AUTHORIZED = "You are not authorized to perform this operation.";

  @Test
  void aDeniedInstanceTypeIsUnauthorizedOperationWith403AndOtherTypesLaunch() {
    emulator.faults().denyRunInstances("t3.*", null);

    assertError(() -> ec2.runInstances(launch("a").build()), 403, "UnauthorizedOperation", NOT_AUTHORIZED);
    RunInstancesResponse allowed = ec2.runInstances(launch("b").instanceType("c5.large").build());

    assertThat(emulator.instances()).singleElement()
        .satisfies(i -> assertThat(i.instanceId()).isEqualTo(allowed.instances().get(0).instanceId()));
    assertThat(emulator.stats().denials("UnauthorizedOperation")).isEqualTo(1);
    assertThat(emulator.stats().injectedErrors()).isZero();
  }

  @Test
  void aDeniedImageIsDeniedWhateverTheInstanceType() {
    emulator.faults().denyRunInstances(null, "ami-0bad*");

    assertErrorCode(() -> ec2.runInstances(launch("a").imageId("ami-0bad1234").build()), "UnauthorizedOperation",
        403);
    assertErrorCode(() -> ec2.runInstances(launch("b").imageId("ami-0bad5678").instanceType("c5.large").build()),
        "UnauthorizedOperation", 403);
    ec2.runInstances(launch("c").build());

    assertThat(emulator.instances()).hasSize(1);
  }

  @Test
  void aDenialWithBothConditionsNeedsBothToMatch() {
    emulator.faults().denyRunInstances("c5.large", "ami-11111111");

    ec2.runInstances(launch("a").instanceType("c5.large").build());
    ec2.runInstances(launch("b").imageId("ami-11111111").build());
    assertErrorCode(() -> ec2.runInstances(launch("c").instanceType("c5.large").imageId("ami-11111111").build()),
        "UnauthorizedOperation", 403);

    assertThat(emulator.instances()).hasSize(2);
  }

  @Test
  void aLaunchWithoutAnInstanceTypeIsJudgedAsM1Small() {
    emulator.faults().denyRunInstances("m1.small", null);

    assertErrorCode(() -> ec2.runInstances(launch("a").instanceType((String) null).build()),
        "UnauthorizedOperation", 403);
  }

  @Test
  void aDryRunTellsADeniedShapeFromAnAllowedOne() {
    emulator.faults().denyRunInstances("c5.large", null);

    assertError(() -> ec2.runInstances(launch("p1").instanceType("c5.large").dryRun(true).build()), 403,
        "UnauthorizedOperation", NOT_AUTHORIZED);
    assertErrorCode(() -> ec2.runInstances(launch("p2").dryRun(true).build()), "DryRunOperation", 412);

    Ec2Stats stats = emulator.stats();
    assertThat(stats.dryRunCalls("UnauthorizedOperation")).isEqualTo(1);
    assertThat(stats.dryRunCalls("DryRunOperation")).isEqualTo(1);
    assertThat(stats.denials()).isEqualTo(1);
    assertThat(emulator.instances()).isEmpty();
  }

  @Test
  void aDenialComesBeforeTheClientTokenSoATokenThatLaunchedIsDeniedUntilAllowed() {
    RunInstancesResponse launched = ec2.runInstances(launch("msg-1").build());
    emulator.faults().denyRunInstances("t3.micro", null);

    assertErrorCode(() -> ec2.runInstances(launch("msg-1").build()), "UnauthorizedOperation", 403);
    emulator.faults().allowAll();

    assertThat(ec2.runInstances(launch("msg-1").build()).reservationId()).isEqualTo(launched.reservationId());
    assertThat(emulator.instances()).hasSize(1);
  }

  @Test
  void aDeniedCallLeavesItsClientTokenUnused() {
    emulator.faults().denyRunInstances("t3.micro", null);
    assertErrorCode(() -> ec2.runInstances(launch("msg-1").build()), "UnauthorizedOperation", 403);
    emulator.faults().allowAll();

    ec2.runInstances(launch("msg-1").instanceType("c5.large").build());

    assertThat(emulator.instances()).singleElement()
        .satisfies(i -> assertThat(i.instanceType()).isEqualTo("c5.large"));
  }

  @Test
  void anAccountWideDenialRefusesEveryCallOfItsActionUntilLifted() {
    emulator.faults().denyAll("DescribeInstances", "UnauthorizedOperation");

    assertError(() -> ec2.describeInstances(), 403, "UnauthorizedOperation", NOT_AUTHORIZED);
    assertErrorCode(() -> ec2.describeInstances(), "UnauthorizedOperation", 403);
    ec2.runInstances(launch("msg-1").build());
    emulator.faults().allowAll();

    assertThat(ec2.describeInstances().reservations()).hasSize(1);
    assertThat(emulator.stats().denials("UnauthorizedOperation")).isEqualTo(2);
  }

  @Test
  void anAuthFailureOnRunInstancesIs401AndRefusesItsDryRunsToo() {
    emulator.faults().denyAll("RunInstances", "AuthFailure");

    assertErrorCode(() -> ec2.runInstances(launch("msg-1").build()), "AuthFailure", 401);
    assertErrorCode(() -> ec2.runInstances(launch("probe").dryRun(true).build()), "AuthFailure", 401);
    emulator.faults().allowAll();
    ec2.runInstances(launch("msg-1").build());

    Ec2Stats stats = emulator.stats();
    assertThat(stats.denials("AuthFailure")).isEqualTo(2);
    assertThat(stats.dryRunCalls("AuthFailure")).isEqualTo(1);
    assertThat(stats.instancesLaunched()).isEqualTo(1);
  }

  @Test
  void accountFaultsCarryEc2sStatusOrTheOneGiven() {
    emulator.faults().denyAll("RunInstances", "OptInRequired").denyAll("DescribeImages", "Blocked")
        .denyAll("DescribeInstances", "PendingVerification", 403);

    assertErrorCode(() -> ec2.runInstances(launch("msg-1").build()), "OptInRequired", 401);
    assertErrorCode(() -> ec2.describeImages(), "Blocked", 403);
    assertErrorCode(() -> ec2.describeInstances(), "PendingVerification", 403);
  }

  @Test
  void aDenialOfEveryActionGivesWayToOneForTheAction() {
    emulator.faults().denyAll("*", "AuthFailure").denyAll("DescribeImages", "UnauthorizedOperation");

    assertErrorCode(() -> ec2.describeInstances(), "AuthFailure", 401);
    assertErrorCode(() -> ec2.runInstances(launch("msg-1").build()), "AuthFailure", 401);
    assertErrorCode(() -> ec2.describeImages(), "UnauthorizedOperation", 403);
  }

  @Test
  void aDeniedCallTakesAThrottleTokenButNoInjectedError() {
    emulator.faults().throttle(1, 0).failNext("RunInstances", "InternalError", 500, 1)
        .denyAll("RunInstances", "UnauthorizedOperation");

    assertErrorCode(() -> ec2.runInstances(launch("msg-1").build()), "UnauthorizedOperation", 403);
    assertErrorCode(() -> ec2.runInstances(launch("msg-1").build()), "RequestLimitExceeded", 503);
    emulator.faults().noThrottle().allowAll();
    assertErrorCode(() -> ec2.runInstances(launch("msg-1").build()), "InternalError", 500);
    ec2.runInstances(launch("msg-1").build());

    assertThat(emulator.instances()).hasSize(1);
  }

  @Test
  void resetLiftsEveryDenial() {
    emulator.faults().denyRunInstances(null, null).denyAll("DescribeInstances", "AuthFailure").reset();

    ec2.runInstances(launch("msg-1").build());

    assertThat(ec2.describeInstances().reservations()).hasSize(1);
  }
}
