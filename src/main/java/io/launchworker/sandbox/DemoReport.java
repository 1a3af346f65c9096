package io.launchworker.sandbox;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.sandbox.ec2.Ec2Emulator;
import io.launchworker.sandbox.ec2.Ec2Stats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.TreeMap;

/**
 * The table the sandbox prints: what was sent, what became of it and what the worker launched, all as the
 * worker's own meters count them (so the table and {@code /metrics} agree), then what was prevented and what the
 * EC2 emulator holds besides (the demo's crashed worker launched before the worker started).
 *
 * @param fallbackLaunches launches on a later shape after EC2 refused an earlier one for capacity:
 *     {@code launcher.shape.launches} with {@code fallback=true}
 * @param instancesLaunched {@code launcher.instances.launched}
 * @param runInstancesCalls {@code launcher.ec2.calls} of {@code RunInstances}, failed ones included
 * @param shapesRefused shapes EC2 refused for capacity, each one RunInstances call: {@code launcher.shape.refusals}
 * @param duplicateLaunches request tokens whose instances (by the {@code launch-worker:token} tag, whatever
 *     ClientToken each shape used) belong to two or more reservations
 * @param ec2Instances instances the emulator created, the crashed worker's included
 * @param ec2RunInstancesRequests RunInstances requests the emulator answered: the crashed worker's and the SDK's
 *     own retries included
 */
public record DemoReport(
    int requests,
    long launched,
    long fallbackLaunches,
    long alreadyLaunched,
    Map<String, Long> rejectedByReason,
    long instancesLaunched,
    long runInstancesCalls,
    long shapesRefused,
    long duplicatesPrevented,
    int duplicateLaunches,
    long ec2Instances,
    long ec2RunInstancesRequests,
    boolean settled) {

  public static DemoReport of(int requests, MeterRegistry registry, Ec2Emulator emulator, boolean settled) {
    Ec2Stats ec2 = emulator.stats();
    long launched = 0;
    long already = 0;
    Map<String, Long> rejected = new TreeMap<>();
    for (Counter c : DemoMix.outcomeCounters(registry)) {
      long n = (long) c.count();
      switch (c.getId().getTag("outcome")) {
        case "launched" -> launched += n;
        case "already_launched" -> already += n;
        // Reasons the meters register at 0 before any rejection are not rejections.
        case "rejected" -> {
          if (n > 0) {
            rejected.merge(c.getId().getTag("reason"), n, Long::sum);
          }
        }
        default -> { }
      }
    }
    long instances = (long) registry.find(WorkerMetrics.INSTANCES_LAUNCHED).counters().stream()
        .mapToDouble(Counter::count).sum();
    long calls = registry.find(WorkerMetrics.EC2_CALLS).tag("operation", "RunInstances").timers().stream()
        .mapToLong(Timer::count).sum();
    long fallbacks = (long) registry.find(WorkerMetrics.SHAPE_LAUNCHES).tag("fallback", "true").counters().stream()
        .mapToDouble(Counter::count).sum();
    long refused = (long) registry.find(WorkerMetrics.SHAPE_REFUSALS).counters().stream()
        .mapToDouble(Counter::count).sum();
    long repeatCalls = ec2.runInstancesCallsPerToken().values().stream().mapToLong(v -> Math.max(0, v - 1)).sum();
    return new DemoReport(requests, launched, fallbacks, already, rejected, instances, calls, refused,
        already + repeatCalls, LaunchesByToken.of(emulator.instances()).duplicated().size(), ec2.instancesLaunched(),
        ec2.calls("RunInstances"), settled);
  }

  public boolean ok() {
    return settled && duplicateLaunches == 0;
  }

  public String table() {
    StringBuilder t = new StringBuilder();
    row(t, "requests sent", requests);
    row(t, "launched", launched);
    row(t, "launched after a fallback", fallbackLaunches);
    row(t, "already launched (found by token)", alreadyLaunched);
    row(t, "rejected", rejectedByReason.values().stream().mapToLong(Long::longValue).sum());
    rejectedByReason.forEach((reason, n) -> row(t, "  " + reason, n));
    row(t, "instances launched", instancesLaunched);
    row(t, "RunInstances calls", runInstancesCalls);
    row(t, "shapes refused (capacity)", shapesRefused);
    row(t, "duplicates prevented", duplicatesPrevented);
    row(t, "duplicate launches", duplicateLaunches);
    // The worker's meter counts launches it got an answer for: the emulator also holds the crashed worker's launch
    // and the one whose answer the demo drops (the worker found that one by its token, as already launched).
    t.append(String.format("EC2 emulator: %d instances, %d RunInstances requests (the crashed worker's launch and the "
        + "lost answer's included)%n", ec2Instances, ec2RunInstancesRequests));
    t.append(settled ? "all requests settled\n" : "NOT all requests settled in time\n");
    return t.toString();
  }

  private static void row(StringBuilder t, String label, long value) {
    t.append(String.format("%-36s %8d%n", label, value));
  }
}
