package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * An IAM, SCP, credentials or account change makes every launch fail the same way. Such an account fault must
 * not dead-letter (or use up the attempts of) the backlog: the worker pauses, probes, and resumes by itself.
 */
class AccountFaultTest {
  private static final int REQUESTS = 30;
  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  private RunningWorker pausableWorker() {
    return harness.startWorker(harness.config(o -> {
      o.put("launcher.max-in-flight", 4);
      // Two attempts: before the fix the outage alone would have dead-lettered everything by now.
      o.put("launcher.max-attempts", 2);
      o.put("launcher.retry.base-delay", "1s");
      o.put("launcher.retry.account-fault-delay", "2s");
      return o;
    }));
  }

  @ParameterizedTest(name = "{0}")
  // The other account-fault codes share this path; Ec2ErrorClassifierTest pins each one's classification.
  @CsvSource({"UnauthorizedOperation, 403", "OptInRequired, 401"})
  void anAccountFaultPausesLaunchingDeadLettersNothingAndResumesWhenItClears(String code, int status) {
    harness.ec2().faults().errorRate("RunInstances", code, status, 1.0);
    harness.sendMany(REQUESTS, i -> SandboxHarness.request("t3.micro"));
    RunningWorker worker = pausableWorker();

    await().atMost(Duration.ofSeconds(20)).until(() -> worker.worker().readiness().notReadyBecause()
        .filter(r -> r.contains(code)).isPresent());
    // Wait for two probes: the pause holds through them instead of draining the backlog into the DLQ.
    long atPause = harness.ec2().stats().calls("RunInstances");
    await().atMost(Duration.ofSeconds(20)).until(() -> harness.ec2().stats().calls("RunInstances") >= atPause + 2);
    assertThat(harness.depth(harness.sandbox.dlqUrl())).isZero();
    assertThat(worker.outcomes("rejected")).isZero();
    assertThat(worker.counter("launcher.account.faults")).isGreaterThanOrEqualTo(1);
    assertThat(worker.scrape()).contains("launcher_account_paused 1.0");
    // At most the launches already in flight when the first fault came, plus the probes.
    assertThat(harness.ec2().stats().calls("RunInstances")).isLessThan(REQUESTS);

    harness.ec2().faults().reset();
    harness.awaitDrained(Duration.ofSeconds(60));

    assertThat(harness.ec2().stats().instancesLaunched()).isEqualTo(REQUESTS);
    assertThat(harness.instancesByToken().values()).allMatch(list -> list.size() == 1);
    assertThat(harness.drainDlq()).isEmpty();
    assertThat(worker.outcomes("launched")).isEqualTo(REQUESTS);
    assertThat(worker.outcomes("retry", "account_fault")).isPositive();
    assertThat(worker.worker().readiness().notReadyBecause()).isEmpty();
  }

  @Test
  void aResourceNotVisibleYetCostsABoundedFewLaunchCallsThenIsRejected() {
    harness.ec2().faults().errorRate("RunInstances", "InvalidGroup.NotFound", 400, 1.0);
    int requests = 5;
    harness.sendMany(requests, i -> SandboxHarness.request("t3.micro"));
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.retry.base-delay", "1s");
      o.put("launcher.retry.max-delay", "1s");
      return o;
    }));

    harness.awaitDrained(Duration.ofSeconds(30));

    assertThat(harness.ec2().stats().calls("RunInstances")).isEqualTo(3L * requests);
    assertThat(worker.outcomes("retry", "not_visible_yet")).isEqualTo(2L * requests);
    assertThat(worker.outcomes("rejected", "ec2:InvalidGroup.NotFound")).isEqualTo(requests);
    assertThat(harness.drainDlq()).hasSize(requests);
  }

  @Test
  void aResourceThatAppearsWithinTheAttemptsLaunches() {
    harness.ec2().faults().failNext("RunInstances", "InvalidSubnetID.NotFound", 400, 2);
    String id = harness.send(SandboxHarness.request("t3.micro"));
    RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.max-in-flight", 1);
      return o;
    }));

    harness.awaitDrained(Duration.ofSeconds(30));

    assertThat(harness.instancesByToken()).containsOnlyKeys(id);
    assertThat(worker.outcomes("launched")).isEqualTo(1);
  }
}
