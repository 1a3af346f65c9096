package io.launchworker.e2e;

import static org.awaitility.Awaitility.await;

import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.LaunchRequest;
import io.launchworker.request.ReadResult;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * A scripted sandbox run whose every count is known in advance, walking each path of the worker through the
 * real SDK: plain launches, a redelivery found by look-up, a producer retry under its clientToken (its first
 * attempt launched with other parameters, as before a redeploy) found by the client-token look-up,
 * two rejections (DLQ), a throttled launch that is retried (ChangeMessageVisibility), launches slower than half
 * the visibility timeout (keeper: ChangeMessageVisibilityBatch), result events, batched deletes and queue depths.
 *
 * <p>The throttle is injected while only one message can call RunInstances, so exactly one message retries
 * whatever the SDK's retry count; everything after it runs concurrently, and every count below is independent
 * of the interleaving (except visibility extensions, which depend on timing and are only known to be above 0).
 */
final class FaultScript {
  static final int PLAIN_LAUNCHES = 3;
  /** Messages the worker receives: crash (1), throttled launch (2 receipts), drift, two more launches, 2 rejects. */
  static final int RECEIVED = 8;
  static final int REJECTED = 2;
  static final String DRIFT_TOKEN = "drift-token-0001";
  static final String MALFORMED = "{\"imageId\": \"ami-0123456789abcdef0\", ";
  static final String UNKNOWN_FIELD = "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceTyp\":\"t3.micro\"}";
  /** Longer than half the 2 s visibility timeout, so the keeper has to extend every launch in flight. */
  static final Duration SLOW_LAUNCH = Duration.ofMillis(1500);

  private FaultScript() {}

  /** Runs the script to its end (queue drained, nothing in flight) and returns the still-running worker. */
  static SandboxHarness.RunningWorker run(SandboxHarness harness, List<ExecutionInterceptor> interceptors) {
    // A worker that launched and died before deleting: its message comes back with receive count 2.
    harness.send(SandboxHarness.request("t3.micro"));
    harness.launchThenCrash();
    // The producer's earlier attempt of the drift request, launched with other parameters under its token.
    String driftBody = "{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"t3.micro\",\"clientToken\":\""
        + DRIFT_TOKEN + "\",\"requestId\":\"req-drift\"}";
    launchDrifted(harness, driftBody);

    harness.ec2().faults().failNext("RunInstances", "RequestLimitExceeded", 503, 50);
    harness.send("{\"imageId\":\"" + SandboxHarness.AMI + "\",\"instanceType\":\"t3.micro\",\"requestId\":\"req-throttled\"}");
    SandboxHarness.RunningWorker worker = harness.startWorker(harness.config(o -> {
      o.put("launcher.sqs.visibility-timeout", "2s");
      o.put("launcher.results-queue-url", harness.sandbox.resultsUrl());
      return o;
    }), interceptors);
    // The throttled message is hidden for its 1 s back-off: clear the faults before it comes back.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
        .until(() -> worker.outcomes("retry") == 1);
    harness.ec2().faults().reset().runInstancesLatency(SLOW_LAUNCH);

    harness.send(driftBody);
    for (int i = 0; i < PLAIN_LAUNCHES - 1; i++) {
      harness.send(SandboxHarness.request("t3.micro"));
    }
    harness.send(MALFORMED);
    harness.send(UNKNOWN_FIELD);
    harness.awaitDrained(Duration.ofSeconds(60));
    await().atMost(Duration.ofSeconds(10)).until(() -> worker.counter(io.launchworker.ops.WorkerMetrics.DELETES)
        == RECEIVED - 1);
    return worker;
  }

  /**
   * RunInstances with the drift request's token (its clientToken scoped by the sandbox's one sender) and hash tag but
   * another instance type, as a redeploy would.
   */
  private static void launchDrifted(SandboxHarness harness, String body) {
    LaunchRequest request = ((ReadResult.Accepted) new RequestReader(LaunchPolicy.permissive()).read(body)).request();
    try (Ec2Client ec2 = harness.ec2Client(2)) {
      ec2.runInstances(new RunInstancesMapper(LaunchDefaults.none())
          .map(request, SandboxHarness.token(DRIFT_TOKEN), "earlier-message").toBuilder()
          .instanceType("t3.small").build());
    }
  }
}
