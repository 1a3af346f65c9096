package io.launchworker.sandbox.ec2;

import static io.launchworker.sandbox.ec2.Ec2Clients.launch;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertError;
import static io.launchworker.sandbox.ec2.RunInstancesTest.assertErrorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;

/** RunInstances with {@code DryRun=true}: EC2's permission probe, which answers with an error and launches nothing. */
class DryRunTest extends EmulatorTest {
  private static final String WOULD_HAVE_SUCCEEDED = "Request would have succeeded, but DryRun flag is set.";

  private static RunInstancesRequest probe(String clientToken) {
    return launch(clientToken).dryRun(true).build();
  }

  @Test
  void anAllowedDryRunAnswers412DryRunOperationAndLaunchesNothing() {
    assertError(() -> ec2.runInstances(probe("probe-1")), 412, "DryRunOperation", WOULD_HAVE_SUCCEEDED);

    assertThat(emulator.instances()).isEmpty();
    Ec2Stats stats = emulator.stats();
    assertThat(stats.instancesLaunched()).isZero();
    assertThat(stats.dryRunCalls()).isEqualTo(1);
    assertThat(stats.dryRunCalls("DryRunOperation")).isEqualTo(1);
    assertThat(stats.calls("RunInstances")).isEqualTo(1);
    assertThat(stats.runInstancesCallsPerToken()).as("a probe is not a launch attempt").isEmpty();
    assertThat(stats.tokensWithInstances()).isZero();
  }

  @Test
  void theSdkDoesNotRetryADryRunOperation() {
    assertErrorCode(() -> clients.retrying().runInstances(probe("probe-1")), "DryRunOperation", 412);

    assertThat(emulator.stats().calls("RunInstances")).isEqualTo(1);
  }

  @Test
  void aDryRunNeitherUsesNorChecksTheClientToken() {
    assertErrorCode(() -> ec2.runInstances(launch("msg-1").instanceType("c5.large").dryRun(true).build()),
        "DryRunOperation", 412);

    RunInstancesResponse launched = ec2.runInstances(launch("msg-1").build());
    assertErrorCode(() -> ec2.runInstances(launch("msg-1").instanceType("c5.large").dryRun(true).build()),
        "DryRunOperation", 412);
    RunInstancesResponse replayed = ec2.runInstances(launch("msg-1").build());

    assertThat(replayed.reservationId()).isEqualTo(launched.reservationId());
    assertThat(emulator.instances()).hasSize(1);
    assertThat(emulator.stats().runInstancesCallsPerToken()).containsExactlyEntriesOf(Map.of("msg-1", 2));
    assertThat(emulator.stats().dryRunCalls("DryRunOperation")).isEqualTo(2);
  }

  @Test
  void aDryRunTakesNoCapacityAndDoesNotAskForIt() {
    emulator.capacity().limit("*", "t3.micro", "*", 1);

    assertErrorCode(() -> ec2.runInstances(probe("probe-1")), "DryRunOperation", 412);
    assertErrorCode(() -> ec2.runInstances(probe("probe-2")), "DryRunOperation", 412);
    assertThat(emulator.capacity().limits()).singleElement().satisfies(l -> assertThat(l.launches()).isEqualTo(1));
    ec2.runInstances(launch("msg-1").build());
    assertErrorCode(() -> ec2.runInstances(launch("msg-2").build()), "InsufficientInstanceCapacity", 500);

    // EC2 checks permissions and parameters in a DryRun, never capacity: a full pool still probes as allowed.
    assertErrorCode(() -> ec2.runInstances(probe("probe-3")), "DryRunOperation", 412);
    assertThat(emulator.stats().capacityRefusals()).isEqualTo(1);
  }

  @Test
  void aDryRunWithParametersEc2RefusesAnswersTheirError() {
    emulator.rejectImage("ami-00000000", "InvalidAMIID.NotFound");

    assertErrorCode(() -> ec2.runInstances(launch("p").imageId("ami-00000000").dryRun(true).build()),
        "InvalidAMIID.NotFound", 400);
    assertErrorCode(() -> ec2.runInstances(launch("p").imageId("img-1").dryRun(true).build()),
        "InvalidAMIID.Malformed", 400);
    assertErrorCode(() -> ec2.runInstances(launch("p").minCount(3).maxCount(2).dryRun(true).build()),
        "InvalidParameterValue", 400);

    assertThat(emulator.stats().dryRunCalls()).isEqualTo(3);
    assertThat(emulator.stats().dryRunCalls("DryRunOperation")).isZero();
    assertThat(emulator.stats().dryRunCalls("InvalidAMIID.NotFound")).isEqualTo(1);
  }

  @Test
  void injectedErrorsAndTheThrottleAnswerDryRunsAsAnyRunInstances() {
    emulator.faults().failNext("RunInstances", "InternalError", 500, 1).throttle(2, 0);

    assertErrorCode(() -> ec2.runInstances(probe("p")), "InternalError", 500);
    assertErrorCode(() -> ec2.runInstances(probe("p")), "DryRunOperation", 412);
    assertErrorCode(() -> ec2.runInstances(probe("p")), "RequestLimitExceeded", 503);

    Ec2Stats stats = emulator.stats();
    assertThat(stats.dryRunCalls()).isEqualTo(3);
    assertThat(stats.dryRunCallsPerAnswer()).containsOnly(Map.entry("InternalError", 1L),
        Map.entry("DryRunOperation", 1L), Map.entry("RequestLimitExceeded", 1L));
    assertThat(stats.injectedErrors("InternalError")).isEqualTo(1);
    assertThat(stats.throttledCalls()).isEqualTo(1);
  }

  @Test
  void aDryRunIsNeverADroppedAnswerNorAnArrivingLaunch() {
    List<String> arrivals = new CopyOnWriteArrayList<>();
    emulator.onRunInstancesArrival(arrivals::add);
    emulator.faults().dropNextAnswersAfterLaunch(1);

    assertErrorCode(() -> ec2.runInstances(probe("probe-1")), "DryRunOperation", 412);
    assertThatThrownBy(() -> ec2.runInstances(launch("msg-1").build()))
        .isInstanceOf(SdkClientException.class).isNotInstanceOf(Ec2Exception.class);

    assertThat(arrivals).containsExactly("msg-1");
    assertThat(emulator.stats().droppedAnswers()).isEqualTo(1);
    assertThat(emulator.instances()).hasSize(1);
  }

  @Test
  void dryRunFalseLaunchesAndItsTokenReplaysWithoutTheFlag() {
    RunInstancesResponse launched = ec2.runInstances(launch("msg-1").dryRun(false).build());

    RunInstancesResponse replayed = ec2.runInstances(launch("msg-1").build());

    assertThat(replayed.reservationId()).isEqualTo(launched.reservationId());
    assertThat(emulator.instances()).hasSize(1);
    assertThat(emulator.stats().dryRunCalls()).isZero();
  }
}
