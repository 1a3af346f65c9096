package io.launchworker.sandbox;

import io.launchworker.sandbox.ec2.Ec2Stats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;

/** The table the sandbox prints: what was sent, what EC2 saw, what was prevented and rejected. */
public record DemoReport(
    int requests,
    long launched,
    long alreadyLaunched,
    Map<String, Long> rejectedByReason,
    long instancesLaunched,
    long runInstancesCalls,
    long duplicatesPrevented,
    int duplicateLaunches,
    boolean settled) {

  public static DemoReport of(int requests, MeterRegistry registry, Ec2Stats ec2, boolean settled) {
    long launched = 0;
    long already = 0;
    Map<String, Long> rejected = new TreeMap<>();
    for (Counter c : DemoMix.outcomeCounters(registry)) {
      long n = (long) c.count();
      switch (c.getId().getTag("outcome")) {
        case "launched" -> launched += n;
        case "already_launched" -> already += n;
        case "rejected" -> rejected.merge(c.getId().getTag("reason"), n, Long::sum);
        default -> { }
      }
    }
    long repeatCalls = ec2.runInstancesCallsPerToken().values().stream().mapToLong(v -> Math.max(0, v - 1)).sum();
    return new DemoReport(requests, launched, already, rejected, ec2.instancesLaunched(), ec2.calls("RunInstances"),
        already + repeatCalls, ec2.tokensWithMoreThanOneReservation().size(), settled);
  }

  public boolean ok() {
    return settled && duplicateLaunches == 0;
  }

  public String table() {
    StringBuilder t = new StringBuilder();
    row(t, "requests sent", requests);
    row(t, "launched", launched);
    row(t, "already launched (found by token)", alreadyLaunched);
    row(t, "rejected", rejectedByReason.values().stream().mapToLong(Long::longValue).sum());
    rejectedByReason.forEach((reason, n) -> row(t, "  " + reason, n));
    row(t, "instances launched", instancesLaunched);
    row(t, "RunInstances calls", runInstancesCalls);
    row(t, "duplicates prevented", duplicatesPrevented);
    row(t, "duplicate launches", duplicateLaunches);
    t.append(settled ? "all requests settled\n" : "NOT all requests settled in time\n");
    return t.toString();
  }

  private static void row(StringBuilder t, String label, long value) {
    t.append(String.format("%-36s %8d%n", label, value));
  }
}
