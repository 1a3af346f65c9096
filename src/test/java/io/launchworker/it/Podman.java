package io.launchworker.it;

import io.launchworker.testing.LocalProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The podman command line, with what podman needs on the build machines (PLATFORM.md): the runc runtime named on
 * every call (the default crun fails there: {@code setrlimit}, cgroups in hybrid mode) and explicit limits for
 * every container, builds included. Each call is a process whose output stays in a log of its own. Thread-safe.
 */
final class Podman {
  /** The OCI runtime: runc unless {@code -Dimage.runtime=crun} (a machine where crun works). */
  static final String RUNTIME = System.getProperty("image.runtime", "runc");
  /** Limits runc sets instead of inheriting (it may not raise this machine's: "operation not permitted"). */
  static final List<String> ULIMITS = List.of("--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096");

  private final Path executable;
  private final Path logs;
  private final AtomicInteger calls = new AtomicInteger();

  private Podman(Path executable, Path logs) {
    this.executable = executable;
    this.logs = logs;
  }

  /** Podman and its runtime from PATH, logging under {@code logs}; empty (with why) when either is missing. */
  static Found find(Path logs) throws IOException {
    Optional<Path> podman = LocalProcesses.onPath("podman");
    if (podman.isEmpty() || LocalProcesses.onPath(RUNTIME).isEmpty()) {
      return new Found(Optional.empty(), "no " + (podman.isEmpty() ? "podman" : RUNTIME) + " on PATH ("
          + System.getenv("PATH") + ")");
    }
    Files.createDirectories(logs);
    return new Found(Optional.of(new Podman(podman.get(), logs)), "");
  }

  /** What {@link #find} found, or why nothing. */
  record Found(Optional<Podman> podman, String missing) {}

  /** {@code podman --runtime RUNTIME ARGS}, ended within {@code bound}. */
  Command.Result run(Duration bound, String... args) throws IOException, InterruptedException {
    return Command.run(log(args[0]), bound, command(List.of(args)));
  }

  /** {@code tar -C DIR -c . | podman import --change C... - TAG}: a root file system as an image. */
  Command.Result importRootfs(Path dir, List<String> changes, String tag) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("import", "--quiet"));
    changes.forEach(change -> args.addAll(List.of("--change", change)));
    args.addAll(List.of("-", tag));
    return Command.pipe(log("import"), Duration.ofMinutes(10),
        List.of("tar", "--numeric-owner", "-C", dir.toString(), "-c", "."), command(args));
  }

  /** A file for this call's output, named by its order and podman's subcommand. */
  Path log(String what) {
    return logs.resolve(String.format("%02d-%s.log", calls.incrementAndGet(), what));
  }

  private List<String> command(List<String> args) {
    List<String> command = new ArrayList<>(List.of(executable.toString(), "--runtime", RUNTIME));
    command.addAll(args);
    return command;
  }
}
