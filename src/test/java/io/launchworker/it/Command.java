package io.launchworker.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command line run to its end within a bound, its standard output and error together in a log file that stays
 * behind for whoever reads a failed build (the image IT keeps its logs in target/image-it). Stateless.
 */
final class Command {
  private Command() {}

  /** How one run ended: the command, its exit code, what it printed and where that is kept. */
  record Result(List<String> command, int code, String output, Path log) {
    /** This result when the command exited 0; otherwise an AssertionError with its code and the end of its output. */
    Result ok() {
      if (code != 0) {
        throw new AssertionError("exit " + code + " from " + String.join(" ", command) + " (log " + log + "):\n"
            + tail(40));
      }
      return this;
    }

    /** The output without surrounding white space: what a {@code --format} or {@code -q} call answers. */
    String answer() {
      return output.strip();
    }

    /** The last lines of the output, for failure messages. */
    String tail(int lines) {
      List<String> all = output.lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
  }

  /** Runs {@code command}, its input closed; fails when it has not ended within {@code bound}. */
  static Result run(Path log, Duration bound, List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    process.getOutputStream().close();
    return await(process, log, bound, command);
  }

  /** Runs {@code first | second}: what {@code first} writes is what {@code second} reads. */
  static Result pipe(Path log, Duration bound, List<String> first, List<String> second)
      throws IOException, InterruptedException {
    Files.writeString(log, "");
    ProcessBuilder.Redirect toLog = ProcessBuilder.Redirect.appendTo(log.toFile());
    List<Process> pipeline = ProcessBuilder.startPipeline(List.of(new ProcessBuilder(first).redirectError(toLog),
        new ProcessBuilder(second).redirectErrorStream(true).redirectOutput(toLog)));
    pipeline.get(0).getOutputStream().close();
    List<String> both = new ArrayList<>(first);
    both.add("|");
    both.addAll(second);
    Result head = await(pipeline.get(0), log, bound, both);
    Result tail = await(pipeline.get(1), log, bound, both);
    return head.code() != 0 ? head : tail;
  }

  private static Result await(Process process, Path log, Duration bound, List<String> command)
      throws IOException, InterruptedException {
    try {
      if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("not finished within " + bound + ": " + String.join(" ", command) + " (log " + log
            + ")");
      }
      return new Result(command, process.exitValue(), Files.readString(log, StandardCharsets.UTF_8), log);
    } finally {
      process.destroyForcibly();
    }
  }
}
