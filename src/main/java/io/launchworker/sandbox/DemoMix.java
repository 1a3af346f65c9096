package io.launchworker.sandbox;

import io.launchworker.config.WorkerConfig;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.poll.Worker;
import io.launchworker.sandbox.ec2.Ec2Capacity;
import io.launchworker.sandbox.ec2.Ec2Capacity.Limit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;

/**
 * The sandbox's demo: valid requests, a duplicate delivery (a message whose first worker launched it and
 * crashed before deleting), a lost EC2 answer, a request whose first instance type has no capacity (it launches
 * on its second), a malformed body and a policy violation.
 */
public final class DemoMix {
  /**
   * The instance type the emulator has no capacity for, the first choice of {@code demo-fallback}; no other demo
   * request names it, so that request alone falls back.
   */
  public static final String NO_CAPACITY_TYPE = "t3.large";
  /** The type {@code demo-fallback} launches on instead. */
  public static final String FALLBACK_TYPE = "t3.medium";
  /** The capacity rule the demo adds to the emulator: no capacity for {@link #NO_CAPACITY_TYPE} anywhere. */
  public static final Limit NO_CAPACITY =
      new Limit(Ec2Capacity.ANY, NO_CAPACITY_TYPE, Ec2Capacity.ANY, 0);
  private static final List<String> VALID = List.of(
      "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\",\"tags\":{\"team\":\"ci\"},"
          + "\"requestId\":\"demo-1\"}",
      "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.small\",\"requestId\":\"demo-2\"}",
      "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t4g.medium\",\"minCount\":1,\"maxCount\":2,"
          + "\"requestId\":\"demo-3\"}",
      "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.xlarge\",\"clientToken\":\"demo-runner-42\","
          + "\"requestId\":\"demo-4\"}",
      "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\",\"requestId\":\"demo-5\"}",
      "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceTypes\":[\"" + NO_CAPACITY_TYPE + "\",\"" + FALLBACK_TYPE
          + "\"],\"requestId\":\"demo-fallback\"}");
  private static final String DUPLICATE =
      "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\",\"requestId\":\"demo-duplicate\"}";
  private static final String MALFORMED = "{\"imageId\": \"ami-0123456789abcdef0\", \"instanceType\": ";
  private static final String POLICY_VIOLATION =
      "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"p5.48xlarge\",\"requestId\":\"demo-too-big\"}";

  private final Sandbox sandbox;
  private final WorkerConfig config;
  private int sent;

  public DemoMix(Sandbox sandbox, WorkerConfig config) {
    this.sandbox = sandbox;
    this.config = config;
  }

  /** Puts the mix on the queue, playing a worker that crashed after launching one of them. */
  public void prepare() {
    prepare(List.of());
  }

  /**
   * As {@link #prepare()}, with capacity limits for the emulator (the sandbox's {@code --capacity}): they come
   * before the demo's own {@link #NO_CAPACITY}, so they decide first, and after the crashed worker's launch, which
   * they neither refuse nor count.
   */
  public void prepare(List<Limit> capacity) {
    playCrashedWorker();
    sandbox.ec2().capacity().apply(capacity).apply(List.of(NO_CAPACITY));
    sandbox.ec2().faults().dropNextAnswersAfterLaunch(1);
    for (String body : VALID) {
      send(body);
    }
    send(MALFORMED);
    send(POLICY_VIOLATION);
  }

  public int sent() {
    return sent;
  }

  /**
   * A worker received the message, launched it with the message ID as token, and died before deleting it;
   * its visibility is reset so the real worker receives it as a redelivery.
   */
  private void playCrashedWorker() {
    send(DUPLICATE);
    sandbox.launchAndCrash(Duration.ZERO, config.policy(), config.defaults());
  }


  private void send(String body) {
    sandbox.sqs().client().sendMessage(b -> b.queueUrl(sandbox.queueUrl()).messageBody(body));
    sent++;
  }

  /** Waits until every sent request has a final outcome and nothing is left on the queue or in flight. */
  public boolean awaitSettled(Worker worker, MeterRegistry registry, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (finalOutcomes(registry) >= sent && worker.inFlight() == 0 && sandbox.sqs().depth(sandbox.queueUrl()) == 0) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  static long finalOutcomes(MeterRegistry registry) {
    return registry.find(WorkerMetrics.OUTCOMES).counters().stream()
        .filter(c -> !"retry".equals(c.getId().getTag("outcome")) && !"released".equals(c.getId().getTag("outcome")))
        .mapToLong(c -> (long) c.count()).sum();
  }

  static List<Counter> outcomeCounters(MeterRegistry registry) {
    return List.copyOf(registry.find(WorkerMetrics.OUTCOMES).counters());
  }
}
