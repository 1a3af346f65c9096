package io.launchworker.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Workers as child processes: {@code java [image options] [options] -jar <jar> run --config <file>}, configured
 * through the environment variables a deployment would set, with the JVM options of the image
 * ({@link #IMAGE_JVM_OPTIONS}); those of {@code --worker-java-options} come after them and win. The jar is the
 * service jar next to this one when it is there, as the image runs it ({@link #workerJar}). Their output goes to a
 * log file each; start-up is measured from
 * spawning the process to its "worker started" log line (the poller's first receive follows at once). CPU is
 * each process's total (JVM start-up, JIT and GC included); memory is the largest worker's VmHWM/VmRSS.
 * Owned by the benchmark thread; one daemon thread per child copies its output.
 */
final class ProcessFleet implements Fleet {
  /** What {@code poll.Worker#start} logs once its poller thread runs. */
  private static final String STARTED_LINE = "worker started";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Every JVM option of docker/Dockerfile's ENTRYPOINT, in its order: a bench of another JVM than the one deployed
   * measures something else (C2 compiling the SDK took a third of a run's CPU; the perf-data file is written on every
   * safepoint). ProcessFleetTest keeps this and the image equal. Where the bench's worker still differs from the
   * container's: {@code MaxRAMPercentage} sizes the heap from the host's memory, not from a container limit (pass
   * {@code -XX:MaxRAM=512m} for a 512Mi one).
   */
  static final List<String> IMAGE_JVM_OPTIONS = List.of("-XX:MaxRAMPercentage=50.0", "-XX:+ExitOnOutOfMemoryError",
      "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-XX:+AlwaysActAsServerClassMachine",
      "-XX:G1PeriodicGCInterval=30000");
  /** The jar docker/Dockerfile copies into the image, which Maven writes next to the full jar. */
  static final String SERVICE_JAR = "ec2-launch-worker-service.jar";

  private final List<Child> children;

  private final Path jar;

  private ProcessFleet(Path jar, List<Child> children) {
    this.jar = jar;
    this.children = children;
  }

  private record Child(Process process, Path log, long spawnedNanos, long[] startedNanos, CountDownLatch started) {}

  /**
   * Starts {@code count} workers and waits until each has started its poller.
   *
   * @throws IllegalStateException when this code does not run from the packaged jar, or a worker exits or does
   *     not start within a minute (the message names its log file)
   */
  static ProcessFleet start(int count, Map<String, String> env, String configText, List<String> javaOptions)
      throws InterruptedException {
    return start(workerJar("worker processes need"), count, env, configText, javaOptions);
  }

  /**
   * The jar worker processes run: the service jar next to this jar, as the image runs it (no sandbox, bench or
   * ElasticMQ classes, a smaller command tree to build at start-up); else this jar.
   *
   * @param who what needs it, as for {@link #ownJar}
   */
  static Path workerJar(String who) {
    Path own = ownJar(who);
    Path service = own.resolveSibling(SERVICE_JAR);
    return Files.isRegularFile(service) ? service : own;
  }

  /** As above, running {@code jar} (e.g. the service jar next to this one). */
  static ProcessFleet start(Path jar, int count, Map<String, String> env, String configText,
      List<String> javaOptions) throws InterruptedException {
    List<Child> children = new ArrayList<>();
    try {
      Path dir = Files.createTempDirectory("launch-worker-bench");
      Path config = dir.resolve("bench-worker.conf");
      Files.writeString(config, configText);
      String java = javaExecutable();
      for (int i = 1; i <= count; i++) {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(IMAGE_JVM_OPTIONS);
        command.addAll(javaOptions);
        command.addAll(List.of("-jar", jar.toString(), "run", "--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("LAUNCHER_") || k.startsWith("AWS_"));
        builder.environment().putAll(env);
        long spawned = System.nanoTime();
        Process process = builder.start();
        Child child = new Child(process, dir.resolve("worker-" + i + ".log"), spawned, new long[1],
            new CountDownLatch(1));
        children.add(child);
        copyOutput(child, i);
      }
    } catch (IOException e) {
      children.forEach(c -> c.process().destroyForcibly());
      throw new UncheckedIOException("could not start worker processes", e);
    }
    ProcessFleet fleet = new ProcessFleet(jar, children);
    for (Child c : children) {
      if (!c.started().await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        fleet.close();
        throw new IllegalStateException("worker process did not start within " + START_TIMEOUT.toSeconds()
            + "s; see " + c.log());
      }
    }
    return fleet;
  }

  /** The java executable of this JVM, to start child processes with the same Java. */
  static String javaExecutable() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /**
   * The jar this code runs from, for child processes of it.
   *
   * @param who what needs it, the start of the exception's message, e.g. "worker processes need"
   * @throws IllegalStateException when this code does not run from a jar (tests, an IDE)
   */
  static Path ownJar(String who) {
    try {
      Path location = Path.of(ProcessFleet.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!Files.isRegularFile(location) || !location.toString().endsWith(".jar")) {
        throw new IllegalStateException(who + " the packaged jar (mvn package; java -jar "
            + "target/ec2-launch-worker.jar bench ...); running from " + location);
      }
      return location;
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot locate the running jar", e);
    }
  }

  private static void copyOutput(Child child, int number) {
    Thread copier = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.process().getInputStream(),
          StandardCharsets.UTF_8)); PrintWriter out = new PrintWriter(Files.newBufferedWriter(child.log()))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (child.started().getCount() > 0 && line.contains(STARTED_LINE)) {
            child.startedNanos()[0] = System.nanoTime();
            child.started().countDown();
          }
          out.println(line);
        }
      } catch (IOException e) {
        // The process is gone; its log ends here.
      } finally {
        child.started().countDown();
      }
    }, "bench-worker-" + number + "-output");
    copier.setDaemon(true);
    copier.start();
  }

  @Override
  public Duration startup() {
    long slowest = 0;
    for (Child c : children) {
      slowest = Math.max(slowest, c.startedNanos()[0] - c.spawnedNanos());
    }
    return Duration.ofNanos(slowest);
  }

  @Override
  public String startupMeasure() {
    return "child process spawned -> \"worker started\" log line (JVM start-up included; slowest worker)";
  }

  @Override
  public Duration cpu() {
    Duration total = Duration.ZERO;
    for (Child c : children) {
      total = total.plus(c.process().info().totalCpuDuration().orElse(Duration.ZERO));
    }
    return total;
  }

  @Override
  public String cpuMeasure() {
    return "total CPU of the worker processes (" + jar.getFileName() + "; includes JVM start-up, JIT and GC; JVM "
        + "options as in the image)";
  }

  @Override
  public OptionalLong peakHeapBytes() {
    return OptionalLong.empty();
  }

  @Override
  public long peakRssBytes() {
    return children.stream().mapToLong(c -> ProcStatus.of(c.process().pid()).peakRssBytes()).max().orElse(0);
  }

  @Override
  public long rssBytes() {
    return children.stream().mapToLong(c -> ProcStatus.of(c.process().pid()).rssBytes()).max().orElse(0);
  }

  @Override
  public String memoryMeasure() {
    return "largest worker process (" + children.size() + " process(es)); logs in "
        + children.get(0).log().getParent();
  }

  /** SIGTERM to each (graceful stop), then a forced kill after a bound. */
  @Override
  public void close() {
    children.forEach(c -> c.process().destroy());
    for (Child c : children) {
      try {
        if (!c.process().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          c.process().destroyForcibly();
        }
      } catch (InterruptedException e) {
        c.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
