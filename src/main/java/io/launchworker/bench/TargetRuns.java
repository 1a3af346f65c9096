package io.launchworker.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench --targets}: each of {@link TargetScenario#ALL} run several times, each run a child process
 * {@code java -jar <this jar> bench <scenario's options> --json <dir>/<P>-<run>.json} whose output goes to
 * {@code <P>-<run>.txt} and {@code <P>-<run>.err}, so that no run inherits another's JIT, heap or threads; then
 * the {@link TargetMedians} table of them all. Prints each run's command line and the load average before it (the
 * figures are CPU- and scheduling-sensitive) to the progress writer. Blocking: one run at a time on the caller's
 * thread; a run's child process is stopped when the caller is interrupted or the JVM exits.
 */
public final class TargetRuns {
  private static final long STOP_SECONDS = 30;

  private final Path jar;
  private final int runs;
  private final double scale;
  private final Path dir;
  private final PrintWriter out;
  private final PrintWriter progress;

  private TargetRuns(Path jar, int runs, double scale, Path dir, PrintWriter out, PrintWriter progress) {
    this.jar = jar;
    this.runs = runs;
    this.scale = scale;
    this.dir = dir;
    this.out = out;
    this.progress = progress;
  }

  /**
   * Runs of this jar's {@code bench}.
   *
   * @param runs how often each scenario runs, at least 1
   * @param scale the factor of each scenario's request count, above 0 (1 for the targets themselves)
   * @param dir where each run's .json, .txt and .err go
   * @param out where the table goes
   * @param progress where the line before each run goes
   * @throws IllegalArgumentException when {@code runs} or {@code scale} is out of range or {@code dir} is a file
   * @throws IllegalStateException when this code does not run from the packaged jar
   */
  public static TargetRuns ofThisJar(int runs, double scale, Path dir, PrintWriter out, PrintWriter progress) {
    if (runs < 1) {
      throw new IllegalArgumentException("--targets RUNS must be at least 1; got " + runs);
    }
    TargetScenario.ALL.forEach(s -> s.arguments(scale));
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--json with --targets names a directory; " + dir + " is a file");
    }
    return new TargetRuns(ProcessFleet.ownJar("--targets needs"), runs, scale, dir, out, progress);
  }

  /**
   * Runs every scenario {@code runs} times and prints the table.
   *
   * @return whether every run exited 0 (every request launched exactly once) and left its JSON report
   */
  public boolean run() throws IOException, InterruptedException {
    Files.createDirectories(dir);
    TargetMedians medians = new TargetMedians(TargetScenario.ALL.stream().map(TargetScenario::name).toList());
    List<String> failed = new ArrayList<>();
    progress.printf("bench: %d scenarios x %d run(s), each a child process of %s; results in %s%n",
        TargetScenario.ALL.size(), runs, jar, dir);
    for (TargetScenario scenario : TargetScenario.ALL) {
      for (int run = 1; run <= runs; run++) {
        String name = scenario.name() + "-" + run;
        Path json = dir.resolve(name + ".json");
        Path txt = dir.resolve(name + ".txt");
        Path err = dir.resolve(name + ".err");
        Files.deleteIfExists(json); // a run that writes none must not count an earlier run's
        List<String> arguments = scenario.arguments(scale);
        progress.printf("== %s run %d: bench %s (load %s)%n", scenario.name(), run, String.join(" ", arguments),
            BenchRun.loadAverage());
        progress.flush();
        List<String> command = new ArrayList<>(List.of(ProcessFleet.javaExecutable(), "-jar", jar.toString(),
            "bench"));
        command.addAll(arguments);
        command.addAll(List.of("--json", json.toString()));
        int exit = runChild(command, txt, err);
        String problem = exit == 0 ? null : "exit " + exit;
        if (Files.isRegularFile(json)) {
          try {
            medians.add(scenario.name(), Files.readString(json));
          } catch (IllegalArgumentException e) {
            problem = "unreadable report: " + e.getMessage();
          }
        } else {
          problem = problem == null ? "no report" : problem + ", no report";
        }
        if (problem != null) {
          failed.add(name);
          progress.printf("== %s run %d: %s; see %s and %s%n", scenario.name(), run, problem, txt, err);
          progress.flush();
        }
      }
    }
    out.print(medians.table());
    if (scale != 1) {
      out.printf("bench: request counts scaled by %s: not the targets' own figures%n", scale);
    }
    if (!failed.isEmpty()) {
      out.printf("bench: CHECK FAILED in %d of %d runs (a duplicate, lost, dead-lettered or undrained request, "
          + "or no report): %s%n", failed.size(), runs * TargetScenario.ALL.size(), String.join(", ", failed));
    }
    out.printf("bench: each run's JSON, table and log in %s/<P>-<run>.json, .txt, .err%n", dir);
    out.flush();
    return failed.isEmpty();
  }

  /** Runs {@code command} to its end and returns its exit code; stops it if this thread or JVM is stopped. */
  private static int runChild(List<String> command, Path stdout, Path stderr)
      throws IOException, InterruptedException {
    Process child = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
        .start();
    Thread stopOnExit = new Thread(() -> stop(child), "bench-targets-stop-run");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    try {
      return child.waitFor();
    } finally {
      if (child.isAlive()) {
        stop(child);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } catch (IllegalStateException e) {
        // The JVM is exiting; the hook stops the child.
      }
    }
  }

  /**
   * SIGTERM to the run and its worker processes (a bench stopped so leaves its workers behind), then a forced
   * kill of the run after a bound.
   */
  private static void stop(Process child) {
    child.descendants().forEach(ProcessHandle::destroy);
    child.destroy();
    try {
      if (!child.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
