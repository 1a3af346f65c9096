package io.launchworker.bench;

import io.launchworker.request.LaunchTags;
import io.launchworker.sandbox.Sandbox;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * The idle scenario (issue 21): what an idle replica costs because the hourly cap counts the fleet's launches. One
 * worker process (the service jar when it sits next to this one, the image's JVM flags and a 512 MiB container's
 * heap), no requests, and {@code instances} worker-tagged instances launched over the last hour in the EC2 emulator.
 * After a warm-up it measures the process's CPU share of one core, DescribeInstances calls a minute, and its
 * resident memory. Blocking; runs on the caller's thread.
 */
public final class IdleRun {
  /** What a Kubernetes limit of 512Mi gives the image's MaxRAMPercentage to size the heap from. */
  static final String CONTAINER_LIMIT = "-XX:MaxRAM=512m";
  /** Instances per seeding RunInstances call: one reservation each, spread over the hour. */
  private static final int PER_CALL = 100;

  private final int instances;
  private final Duration warmUp;
  private final Duration measure;
  private final List<String> javaOptions;
  private final PrintWriter out;

  /** What one idle run measured. */
  public record Result(int instances, String jar, Duration measured, double coreShare, double describePerMinute,
      long rssBytes, long peakRssBytes, String load) {
    public String line() {
      return String.format("bench idle: %,d tagged instances in the hour, %s, measured %ds after warm-up: "
          + "%.2f %% of a core, %.1f DescribeInstances a minute, RSS %d MB (peak %d MB); load %s", instances, jar,
          measured.toSeconds(), coreShare * 100, describePerMinute, rssBytes >> 20, peakRssBytes >> 20, load);
    }
  }

  public IdleRun(int instances, Duration warmUp, Duration measure, List<String> javaOptions, PrintWriter out) {
    if (instances < 0) {
      throw new IllegalArgumentException("--idle-instances must be 0 or more: " + instances);
    }
    this.instances = instances;
    this.warmUp = warmUp;
    this.measure = measure;
    this.javaOptions = List.copyOf(javaOptions);
    this.out = out;
  }

  public Result run() throws InterruptedException {
    ShiftedClock ec2Clock = new ShiftedClock();
    try (Sandbox sandbox = Sandbox.start(Duration.ofSeconds(60), ec2Clock)) {
      seed(sandbox, ec2Clock);
      Path jar = ProcessFleet.workerJar("the idle scenario needs");
      List<String> options = new ArrayList<>(List.of(CONTAINER_LIMIT));
      options.addAll(javaOptions);
      out.printf("bench idle: %,d worker-tagged instances launched over the last hour; one worker (%s, JVM options "
          + "%s %s), no requests; warm-up %ds, then %ds measured%n", instances, jar.getFileName(),
          String.join(" ", ProcessFleet.IMAGE_JVM_OPTIONS), String.join(" ", options), warmUp.toSeconds(),
          measure.toSeconds());
      out.flush();
      Map<String, String> env = workerEnvironment(sandbox);
      try (ProcessFleet worker = ProcessFleet.start(jar, 1, env, "", options)) {
        Thread.sleep(warmUp.toMillis());
        String loadBefore = BenchRun.loadAverage();
        Duration cpuBefore = worker.cpu();
        long describeBefore = sandbox.ec2().stats().calls("DescribeInstances");
        long begin = System.nanoTime();
        Thread.sleep(measure.toMillis());
        double seconds = (System.nanoTime() - begin) / 1e9;
        Duration cpu = worker.cpu().minus(cpuBefore);
        long describes = sandbox.ec2().stats().calls("DescribeInstances") - describeBefore;
        return new Result(instances, jar.getFileName().toString(), measure, cpu.toNanos() / 1e9 / seconds,
            describes * 60 / seconds, worker.rssBytes(), worker.peakRssBytes(),
            loadBefore + " -> " + BenchRun.loadAverage());
      }
    }
  }

  /** The idle worker's environment: a bench worker's ({@link BenchRun#workerEnvironment}). */
  static Map<String, String> workerEnvironment(Sandbox sandbox) {
    return BenchRun.workerEnvironment(sandbox);
  }

  /** Launches the instances as other replicas would have, spread evenly over the hour before now. */
  private void seed(Sandbox sandbox, ShiftedClock ec2Clock) {
    int calls = (instances + PER_CALL - 1) / PER_CALL;
    try (Ec2Client ec2 = sandbox.ec2Client(4)) {
      for (int i = 0; i < calls; i++) {
        int count = Math.min(PER_CALL, instances - i * PER_CALL);
        ec2Clock.shift(Duration.ofMinutes(59).multipliedBy(calls - i).dividedBy(calls).negated());
        String token = "idle-seed-" + i;
        ec2.runInstances(r -> r.imageId("ami-0123456789abcdef0").instanceType("t3.micro").minCount(count)
            .maxCount(count).clientToken(token).tagSpecifications(TagSpecification.builder()
                .resourceType(ResourceType.INSTANCE).tags(Tag.builder().key(LaunchTags.TOKEN).value(token).build())
                .build()));
      }
    } finally {
      ec2Clock.shift(Duration.ZERO);
    }
  }

  /** The system's time, moved back while the seeding launches are made "earlier in the hour". */
  private static final class ShiftedClock extends Clock {
    private volatile Duration shift = Duration.ZERO;

    void shift(Duration value) {
      shift = value;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the emulator keeps UTC");
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(shift);
    }
  }
}
