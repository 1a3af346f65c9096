package io.launchworker.cli;

import io.launchworker.bench.BenchReport;
import io.launchworker.bench.BenchRun;
import io.launchworker.bench.IdleRun;
import io.launchworker.bench.PhasedRun;
import io.launchworker.bench.Bucket;
import io.launchworker.bench.Ec2Latency;
import io.launchworker.bench.Scenario;
import io.launchworker.bench.TargetRuns;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: the sandbox plus the worker (in this JVM, or {@code --workers} child processes), N requests,
 * and what it took: throughput, drain time, latencies, CPU, memory, EC2 calls, throttling, duplicates. With
 * {@code --capacity}, the emulator refuses shapes as the spec says and the requests list several instance types
 * ({@code --instance-types}), so the report adds calls per launch, launches by type and refusals by code. Prints a
 * table and optionally writes JSON. With {@code --targets}, the performance targets' scenarios instead, each run
 * a child process of this jar ({@link TargetRuns}), and a table of medians. A benchmark, not a test: exit 0 when
 * every request launched exactly once, 1 when not, whatever the speed; 2 on bad usage.
 */
@Command(name = "bench", description = "Measure the worker against the sandbox: throughput, latency, CPU, memory.")
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--requests", defaultValue = "1000", description = "Requests to send (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--ec2-latency", defaultValue = "0ms", paramLabel = "LATENCY", converter = LatencyConverter.class,
      description = "Emulator RunInstances latency: fixed (0ms, 1s), lognormal:MEDIAN,SIGMA or uniform:MIN,MAX "
          + "(uniform:1s,1.5s) (default: ${DEFAULT-VALUE}).")
  Ec2Latency ec2Latency;

  @Option(names = "--ec2-bucket", paramLabel = "BURST/REFILL", converter = BucketConverter.class,
      description = "Emulator RunInstances throttle, e.g. 5/2 (AWS's default); none by default.")
  Bucket ec2Bucket;

  @Option(names = "--rate", paramLabel = "BURST/REFILL", converter = BucketConverter.class,
      description = "Each worker's client-side RunInstances budget; default: the EC2 bucket divided by the workers, "
          + "else unlimited.")
  Bucket rate;

  @Option(names = "--max-in-flight", defaultValue = "32", description = "Per worker (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(names = "--workers", defaultValue = "1",
      description = "Worker processes on the one queue; more than 1 starts child processes (the service jar next to "
          + "this one, with the image's JVM options; default: ${DEFAULT-VALUE}, in this JVM).")
  int workers;

  @Option(names = "--separate-process", description = "Run even a single worker as a child process.")
  boolean separateProcess;

  @Option(names = "--worker-java-options", paramLabel = "OPTIONS", defaultValue = "",
      description = "JVM options for worker processes, space-separated, after the image's (these win), e.g. "
          + "\"-Xmx128m\".")
  String workerJavaOptions;

  @Option(names = "--capacity", paramLabel = CapacityOption.LABEL, converter = CapacityOption.Converter.class,
      description = CapacityOption.HELP + " Applied to the bench's emulator, also with worker processes.")
  CapacityOption capacity;

  @Option(names = "--instance-types", paramLabel = "TYPE,...", split = ",",
      description = "The instanceTypes every request lists, in order of preference (1-10); default with "
          + "--capacity: " + Scenario.CAPACITY_INSTANCE_TYPE_LIST + "; else each request names t3.micro.")
  List<String> instanceTypes;

  @Option(names = "--one-at-a-time", description = "Send each request only after the previous one was settled "
      + "(pickup latency on an idle queue).")
  boolean oneAtATime;

  @Option(names = "--timeout", defaultValue = "10m", converter = DurationConverter.class,
      description = "Longest wait for the queue to drain (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE; with "
      + "--targets, the directory for each run's <P>-<run>.json, .txt and .err (default there: target/bench).")
  Path json;

  @Option(names = "--idle-instances", paramLabel = "N",
      description = "Instead of a drain: the idle scenario. N worker-tagged instances launched over the last hour, "
          + "one worker process, no requests; prints its CPU share, DescribeInstances calls a minute and RSS "
          + "(needs the packaged jar).")
  Integer idleInstances;

  @Option(names = "--idle-for", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "With --idle-instances: how long to measure, after a 30 s warm-up (default: ${DEFAULT-VALUE}).")
  Duration idleFor;

  @Option(names = "--replica-phases", paramLabel = "N,N,...", split = ",",
      description = "Instead of a drain: the sharing scenario. Worker processes with the default configuration "
          + "(each allowed the account's whole RunInstances limit) drain one backlog against EC2's bucket "
          + "(--ec2-bucket, default 5/2) while their number changes by phases, e.g. 1,2,4,2,1; prints per phase the "
          + "share of the refill, throttled calls and the largest gap between launches (needs the packaged jar).")
  List<Integer> replicaPhases;

  @Option(names = "--phase-length", defaultValue = "120s", converter = DurationConverter.class,
      paramLabel = "DURATION", description = "With --replica-phases: each phase's length (default: ${DEFAULT-VALUE}).")
  Duration phaseLength;

  @Option(names = "--targets", arity = "0..1", fallbackValue = "3", paramLabel = "RUNS",
      description = "Instead of one run: the performance targets' scenarios P1-P7, RUNS times each (default: 3), "
          + "each run a child process of this jar; prints the load average before each run and the median of "
          + "each figure at the end. Needs the packaged jar and a quiet machine; about 25 minutes for 3 runs.")
  Integer targetRuns;

  @Option(names = "--scale", paramLabel = "FACTOR",
      description = "With --targets: multiply each scenario's requests by FACTOR, e.g. 0.01 for a quick check "
          + "that every scenario runs (default: 1).")
  Double scale;

  @Spec
  CommandSpec spec;

  /** The options that --targets takes; every other one describes a single run, which --targets does not do. */
  private static final Set<String> TARGET_OPTIONS = Set.of("--targets", "--scale", "--json");
  private static final Path TARGETS_DIR = Path.of("target", "bench");

  /** The options the idle scenario takes. */
  private static final Set<String> IDLE_OPTIONS = Set.of("--idle-instances", "--idle-for", "--worker-java-options");
  private static final Duration IDLE_WARM_UP = Duration.ofSeconds(30);
  /** The options the sharing scenario takes. */
  private static final Set<String> PHASE_OPTIONS = Set.of("--replica-phases", "--phase-length", "--ec2-bucket",
      "--ec2-latency", "--worker-java-options");
  /** EC2's default RunInstances bucket, which the sharing scenario uses unless told otherwise. */
  private static final Bucket EC2_DEFAULT_BUCKET = new Bucket(5, 2.0);

  @Override
  public Integer call() throws InterruptedException, IOException {
    if (targetRuns != null) {
      return targets();
    }
    if (idleInstances != null) {
      return idle();
    }
    if (replicaPhases != null) {
      return phases();
    }
    if (scale != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--scale applies only to --targets");
    }
    Scenario scenario;
    try {
      scenario = new Scenario(requests, ec2Latency, Optional.ofNullable(ec2Bucket), Optional.ofNullable(rate),
          maxInFlight, workers, separateProcess, oneAtATime, timeout, CapacityOption.of(capacity),
          instanceTypes == null ? List.of() : instanceTypes);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    List<String> javaOptions = javaOptions();
    BenchReport report = new BenchRun(scenario, javaOptions, out).run();
    out.print(report.table());
    if (json != null) {
      Files.writeString(json, report.json());
      out.println("bench: JSON written to " + json);
    }
    out.flush();
    return report.ok() ? 0 : 1;
  }

  private int idle() throws InterruptedException {
    onlyOptions(IDLE_OPTIONS, "--idle-instances runs the idle scenario");
    List<String> javaOptions = javaOptions();
    IdleRun.Result result;
    try {
      result = new IdleRun(idleInstances, IDLE_WARM_UP, idleFor, javaOptions, spec.commandLine().getOut()).run();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new SetupException(e.getMessage(), e);
    }
    spec.commandLine().getOut().println(result.line());
    spec.commandLine().getOut().flush();
    return 0;
  }

  private int phases() throws InterruptedException {
    onlyOptions(PHASE_OPTIONS, "--replica-phases runs the sharing scenario");
    try {
      new PhasedRun(replicaPhases, phaseLength, ec2Bucket == null ? EC2_DEFAULT_BUCKET : ec2Bucket, ec2Latency,
          javaOptions(), spec.commandLine().getOut()).run();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new SetupException(e.getMessage(), e);
    }
    return 0;
  }

  private List<String> javaOptions() {
    return Arrays.stream(workerJavaOptions.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }

  /** Usage error (exit 2) naming every option given beside {@code allowed}. */
  private void onlyOptions(Set<String> allowed, String why) {
    List<String> other = spec.commandLine().getParseResult().matchedOptions().stream()
        .map(o -> o.longestName()).filter(n -> !allowed.contains(n)).toList();
    if (!other.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), why + "; leave out " + String.join(", ", other));
    }
  }

  private int targets() throws InterruptedException, IOException {
    onlyOptions(TARGET_OPTIONS, "--targets runs its own scenarios");
    TargetRuns runs;
    try {
      runs = TargetRuns.ofThisJar(targetRuns, scale == null ? 1 : scale, json == null ? TARGETS_DIR : json,
          spec.commandLine().getOut(), spec.commandLine().getErr());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new SetupException(e.getMessage(), e);
    }
    return runs.run() ? 0 : 1;
  }

  /** {@code BURST/REFILL}, rejected at parse time (exit 2) when malformed. */
  static final class BucketConverter implements CommandLine.ITypeConverter<Bucket> {
    @Override
    public Bucket convert(String value) {
      try {
        return Bucket.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@code 0ms}, {@code 1s}, {@code lognormal:1s,0.5} or {@code uniform:1s,1.5s}, rejected at parse time (exit 2) when malformed. */
  static final class LatencyConverter implements CommandLine.ITypeConverter<Ec2Latency> {
    @Override
    public Ec2Latency convert(String value) {
      try {
        return Ec2Latency.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
