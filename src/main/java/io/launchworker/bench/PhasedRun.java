package io.launchworker.bench;

import io.launchworker.sandbox.LaunchesByToken;
import io.launchworker.sandbox.Sandbox;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import io.launchworker.sandbox.ec2.Ec2Stats;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * The sharing scenario (issue 21): replicas with one identical, default configuration (each allowed the account's
 * whole RunInstances limit) drain one backlog against the EC2 emulator with EC2's bucket, while replicas join and
 * leave in phases. Per phase it prints the launches as a share of the bucket's refill, the RunInstances calls EC2
 * throttled, and the largest gap between two launches. Replicas are worker processes of the packaged jar, as
 * {@link ProcessFleet} starts them; a joining one starts at its phase's beginning (its JVM start-up counts in the
 * phase), a leaving one (the newest first) is stopped gracefully. Blocking; runs on the caller's thread.
 */
public final class PhasedRun {
  /** Requests beyond what the phases can launch at the refill, so the backlog never runs dry. */
  private static final double BACKLOG_MARGIN = 1.25;
  private static final Duration VISIBILITY = Duration.ofSeconds(60);

  private final List<Integer> phases;
  private final Duration phaseLength;
  private final Bucket bucket;
  private final Ec2Latency latency;
  private final List<String> javaOptions;
  private final PrintWriter out;

  /** What one phase measured. */
  public record Phase(int number, int replicas, Duration length, long launches, long throttled, long calls,
      Duration largestGap, double refillPerSecond) {
    public double shareOfRefill() {
      return launches / (refillPerSecond * length.toNanos() / 1e9);
    }

    public double throttledShare() {
      return calls == 0 ? 0 : (double) throttled / calls;
    }

    public String line() {
      return String.format("phase %d: %d replica(s), %ds: %d launches = %.1f %% of the refill; %d of %d "
          + "RunInstances calls throttled (%.1f %%); largest gap between two launches %.1f s", number, replicas,
          Math.round(length.toMillis() / 1000.0), launches, shareOfRefill() * 100, throttled, calls, throttledShare() * 100,
          largestGap.toMillis() / 1000.0);
    }
  }

  public PhasedRun(List<Integer> phases, Duration phaseLength, Bucket bucket, Ec2Latency latency,
      List<String> javaOptions, PrintWriter out) {
    if (phases.isEmpty() || phases.stream().anyMatch(n -> n < 1)) {
      throw new IllegalArgumentException("--replica-phases needs one or more replica counts of at least 1, such as "
          + "1,2,4,2,1: " + phases);
    }
    if (phaseLength.compareTo(Duration.ofSeconds(10)) < 0) {
      throw new IllegalArgumentException("--phase-length must be at least 10s: " + phaseLength);
    }
    this.phases = List.copyOf(phases);
    this.phaseLength = phaseLength;
    this.bucket = bucket;
    this.latency = latency;
    this.javaOptions = List.copyOf(javaOptions);
    this.out = out;
  }

  /** Runs the phases; returns each phase's figures. Throws {@link IllegalStateException} if a replica cannot start. */
  public List<Phase> run() throws InterruptedException {
    int requests = (int) Math.ceil(phases.size() * phaseLength.toSeconds() * bucket.perSecond() * BACKLOG_MARGIN)
        + bucket.burst();
    out.printf("bench phases: replicas %s, %ds each, EC2 bucket %s, EC2 latency %s, %d requests queued at the "
        + "start; every replica has the default configuration (RunInstances ceiling = the account's limit)%n",
        phases, phaseLength.toSeconds(), bucket, latency, requests);
    out.flush();
    List<Phase> results = new ArrayList<>();
    try (Sandbox sandbox = Sandbox.start(VISIBILITY)) {
      latency.applyTo(sandbox.ec2().faults());
      sandbox.ec2().faults().throttle(bucket.burst(), bucket.perSecond());
      Timeline timeline = new Timeline(System::nanoTime);
      new RequestSender(sandbox.sqs().client(), sandbox.queueUrl(), timeline, List.of()).send(requests);
      Map<String, String> env = BenchRun.workerEnvironment(sandbox);
      String config = "launcher.sqs.wait-time = 1s\n";
      Deque<ProcessFleet> replicas = new ArrayDeque<>();
      try {
        for (int i = 0; i < phases.size(); i++) {
          int count = phases.get(i);
          Instant start = Instant.now();
          Ec2Stats before = sandbox.ec2().stats();
          while (replicas.size() > count) {
            replicas.removeLast().close();
          }
          while (replicas.size() < count) {
            replicas.addLast(ProcessFleet.start(1, env, config, javaOptions));
          }
          long remaining = Duration.between(Instant.now(), start.plus(phaseLength)).toMillis();
          if (remaining > 0) {
            Thread.sleep(remaining);
          }
          Instant end = Instant.now();
          Ec2Stats after = sandbox.ec2().stats();
          Phase phase = measure(i + 1, count, start, end, sandbox.ec2().instances(), before, after);
          results.add(phase);
          out.println("bench " + phase.line());
          out.flush();
        }
      } finally {
        replicas.forEach(ProcessFleet::close);
      }
      long duplicates = LaunchesByToken.of(sandbox.ec2().instances()).duplicated().size();
      out.printf("bench phases: %d tokens launched more than once (must be 0); load %s%n", duplicates,
          BenchRun.loadAverage());
      out.flush();
      if (duplicates > 0) {
        throw new IllegalStateException(duplicates + " requests launched more than once");
      }
    }
    return results;
  }

  private Phase measure(int number, int replicas, Instant start, Instant end, List<EmulatedInstance> instances,
      Ec2Stats before, Ec2Stats after) {
    // One reservation per launch; its instances share its launch time.
    List<Instant> launched = instances.stream().filter(i -> !i.launchTime().isBefore(start)
            && i.launchTime().isBefore(end))
        .collect(java.util.stream.Collectors.toMap(EmulatedInstance::reservationId, EmulatedInstance::launchTime,
            (a, b) -> a))
        .values().stream().sorted().toList();
    Duration gap = Duration.ZERO;
    Instant previous = start;
    for (Instant at : launched) {
      gap = max(gap, Duration.between(previous, at));
      previous = at;
    }
    gap = max(gap, Duration.between(previous, end));
    long throttled = after.throttledCalls() - before.throttledCalls();
    long calls = after.calls("RunInstances") - before.calls("RunInstances");
    return new Phase(number, replicas, Duration.between(start, end), launched.size(), throttled, calls, gap,
        bucket.perSecond());
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
