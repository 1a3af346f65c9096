package io.launchworker.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one benchmark run measured: a table for people ({@link #table()}) and JSON for scripts
 * ({@link #json()}). Immutable. Durations in the JSON are seconds or milliseconds as the key says.
 *
 * @param runInstancesCalls every RunInstances request the emulator answered: refused shapes, throttled calls and
 *     the SDK's own retries included
 * @param launches what EC2 holds of the requests, counted by their token tag: duplicates, lost, types, refusals
 * @param phases the drain's start, steady middle and tail, so a start-up or the last launches' tail can be told
 *     from the rate between them
 */
public record BenchReport(
    Scenario scenario,
    String mode,
    int sent,
    double drainSeconds,
    double idealDrainSeconds,
    Timeline.Phases phases,
    Timeline.Percentiles pickupMs,
    Timeline.Percentiles endToEndMs,
    String endToEndMeasure,
    double startupMs,
    String startupMeasure,
    double workerCpuSeconds,
    String cpuMeasure,
    long peakHeapBytes,
    long peakRssBytes,
    long rssBytes,
    String memoryMeasure,
    long runInstancesCalls,
    long throttledCalls,
    Launches launches,
    long deadLettered,
    boolean drained,
    String loadAverage) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final double MB = 1024.0 * 1024.0;

  public double requestsPerSecond() {
    return drainSeconds > 0 ? sent / drainSeconds : 0;
  }

  public double cpuSecondsPer1000() {
    return sent > 0 ? workerCpuSeconds * 1000 / sent : 0;
  }

  public double throttledPercent() {
    return runInstancesCalls > 0 ? 100.0 * throttledCalls / runInstancesCalls : 0;
  }

  /** RunInstances calls per request that launched: 1 when no shape was refused and nothing throttled. */
  public double runInstancesCallsPerLaunch() {
    return launches.launched() > 0 ? (double) runInstancesCalls / launches.launched() : 0;
  }

  /** Every request launched once: drained, no duplicate, none lost, none dead-lettered. */
  public boolean ok() {
    return drained && launches.exactlyOnce() && deadLettered == 0;
  }

  public String table() {
    StringBuilder t = new StringBuilder();
    row(t, "mode", mode);
    row(t, "requests", Integer.toString(sent));
    row(t, "requests/s", f1(requestsPerSecond()));
    row(t, "time to drain", f2(drainSeconds) + " s" + (drained ? "" : " (NOT drained: timed out)"));
    row(t, "ideal drain (bucket/concurrency bound)", f2(idealDrainSeconds) + " s");
    row(t, "requests/s, steady state", f1(phases.steadyRequestsPerSecond())
        + "   (RunInstances arrivals per second, 10th to 90th percentile: no start, no tail)");
    row(t, "first launch / tail", f2(phases.firstLaunchSeconds()) + " s / " + f2(phases.tailSeconds())
        + " s   (sending began -> first RunInstances; last RunInstances -> queue empty)");
    row(t, "pickup latency p50 / p99", ms(pickupMs) + "   (SendMessage returned -> RunInstances arrived)");
    row(t, "end-to-end latency p50 / p99", ms(endToEndMs) + "   (" + endToEndMeasure + ")");
    row(t, "start-up", f1(startupMs) + " ms   (" + startupMeasure + ")");
    row(t, "worker CPU per 1,000 requests", f3(cpuSecondsPer1000()) + " s   (" + cpuMeasure + ")");
    row(t, "peak heap", peakHeapBytes < 0 ? "n/a (child processes)" : f1(peakHeapBytes / MB) + " MB");
    row(t, "peak RSS / RSS now", f1(peakRssBytes / MB) + " / " + f1(rssBytes / MB) + " MB   (" + memoryMeasure + ")");
    row(t, "RunInstances calls", Long.toString(runInstancesCalls));
    row(t, "RunInstances calls per launched request", f2(runInstancesCallsPerLaunch())
        + "   (refused shapes, throttled calls and SDK retries included)");
    row(t, "throttled calls", throttledCalls + " (" + f2(throttledPercent()) + " %)");
    row(t, "shapes refused (capacity)", launches.refusals()
        + (launches.refusalsByCode().isEmpty() ? "" : "   (" + counts(launches.refusalsByCode()) + ")"));
    row(t, "launches by instance type", launches.byInstanceType().isEmpty() ? "none"
        : counts(launches.byInstanceType()));
    row(t, "launched exactly once", launches.launched() - launches.duplicates() + " of " + sent + " requests"
        + "   (by the launch-worker:token tag)");
    row(t, "duplicates", Integer.toString(launches.duplicates()));
    row(t, "lost", Integer.toString(launches.lost()));
    row(t, "dead-lettered", Long.toString(deadLettered));
    row(t, "load average (start -> end)", loadAverage);
    t.append(ok() ? "every request launched exactly once\n" : "CHECK FAILED: see duplicates / lost / drain\n");
    return t.toString();
  }

  public String json() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("requests", scenario.requests());
    s.put("ec2Latency", scenario.ec2Latency().toString());
    s.put("ec2Bucket", scenario.ec2Bucket().map(Bucket::toString).orElse(null));
    s.put("workerBudget", scenario.workerBudget().toString());
    s.put("maxInFlight", scenario.maxInFlight());
    s.put("workers", scenario.workers());
    s.put("oneAtATime", scenario.oneAtATime());
    s.put("capacity", scenario.capacity().isEmpty() ? null : scenario.capacitySpec());
    s.put("instanceTypes", scenario.requestInstanceTypes().isEmpty() ? null : scenario.requestInstanceTypes());
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("scenario", s);
    r.put("mode", mode);
    r.put("requests", sent);
    r.put("requestsPerSecond", requestsPerSecond());
    r.put("drainSeconds", drainSeconds);
    r.put("idealDrainSeconds", idealDrainSeconds);
    r.put("steadyRequestsPerSecond", number(phases.steadyRequestsPerSecond()));
    r.put("firstLaunchSeconds", number(phases.firstLaunchSeconds()));
    r.put("tailSeconds", number(phases.tailSeconds()));
    r.put("drained", drained);
    r.put("pickupMs", percentiles(pickupMs));
    Map<String, Object> e2e = percentiles(endToEndMs);
    e2e.put("measure", endToEndMeasure);
    r.put("endToEndMs", e2e);
    r.put("startupMs", startupMs);
    r.put("startupMeasure", startupMeasure);
    r.put("workerCpuSeconds", workerCpuSeconds);
    r.put("workerCpuSecondsPer1000", cpuSecondsPer1000());
    r.put("cpuMeasure", cpuMeasure);
    r.put("peakHeapMb", peakHeapBytes < 0 ? null : peakHeapBytes / MB);
    r.put("peakRssMb", peakRssBytes / MB);
    r.put("rssMb", rssBytes / MB);
    r.put("memoryMeasure", memoryMeasure);
    r.put("runInstancesCalls", runInstancesCalls);
    r.put("throttledCalls", throttledCalls);
    r.put("throttledPercent", throttledPercent());
    r.put("runInstancesCallsPerLaunch", runInstancesCallsPerLaunch());
    r.put("refusalsByCode", launches.refusalsByCode());
    r.put("launchesByInstanceType", launches.byInstanceType());
    r.put("launched", launches.launched());
    r.put("launchedExactlyOnce", launches.exactlyOnce());
    r.put("duplicates", launches.duplicates());
    r.put("lost", launches.lost());
    r.put("deadLettered", deadLettered);
    r.put("loadAverage", loadAverage);
    r.put("ok", ok());
    try {
      return JSON.writeValueAsString(r);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("a map of numbers and strings always serializes", ex);
    }
  }

  private static Map<String, Object> percentiles(Timeline.Percentiles p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", p.count());
    m.put("p50", p.count() == 0 ? null : p.p50());
    m.put("p99", p.count() == 0 ? null : p.p99());
    return m;
  }

  /** NaN (not measured) as JSON null. */
  private static Double number(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** "A 3, B 4". */
  private static String counts(Map<String, Long> byKey) {
    return String.join(", ", byKey.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
  }

  private static String ms(Timeline.Percentiles p) {
    return p.count() == 0 ? "n/a" : f1(p.p50()) + " / " + f1(p.p99()) + " ms";
  }

  private static void row(StringBuilder t, String label, String value) {
    t.append(String.format("%-40s %s%n", label, value));
  }

  private static String f1(double v) {
    return String.format("%.1f", v);
  }

  private static String f2(double v) {
    return String.format("%.2f", v);
  }

  private static String f3(double v) {
    return String.format("%.3f", v);
  }
}
