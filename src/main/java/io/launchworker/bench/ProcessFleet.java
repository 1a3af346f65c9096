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
 * Workers as child processes: {@code java [image options] [options] -jar <this jar> run --config <file>}, configured
 * through the environment variables a deployment would set, with the JVM options of the image that change its
 * speed ({@link #IMAGE_JVM_OPTIONS}); those of {@code --worker-java-options} come after them and win. Their output goes to a log file each; start-up is measured from
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
   * What docker/Dockerfile's ENTRYPOINT gives the worker's JVM that changes its CPU: C1 only. A bench of another
   * JVM than the one deployed would measure C2 compiling the SDK, a third of the CPU of a run. ProcessFleetTest
   * keeps this and the image alike. (Its heap flags are left out: the bench's figures are per host, not per
   * container limit.)
   */
  static final List<String> IMAGE_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1");

  private final List<Child> children;

  private ProcessFleet(List<Child> children) {
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
    return start(ownJar("worker processes need"), count, env, configText, javaOptions);
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
    ProcessFleet fleet = new ProcessFleet(children);
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
    return "total CPU of the worker processes (includes JVM start-up, JIT and GC; JVM options "
        + String.join(" ", IMAGE_JVM_OPTIONS) + " as in the image)";
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
