package io.launchworker.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The whole {@code launch-worker} tool: the {@link ServiceCommand}'s commands plus {@code sandbox} and
 * {@code bench}, which bring the embedded SQS (ElasticMQ) and the EC2 emulator. The main class of
 * {@code target/ec2-launch-worker.jar}. Picocli adds these subcommands to the ones the superclass declares.
 */
@Command(subcommands = {SandboxCommand.class, BenchCommand.class})
public final class LaunchWorkerCommand extends ServiceCommand {
  public static void main(String[] args) {
    chooseLogFormat(args);
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code. */
  public static int execute(String... args) {
    return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** Runs the command line with the given output streams and returns the exit code (for tests). */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    return execute(CommandLine.defaultFactory(), out, err, args);
  }

  /** As above, with commands made by {@code factory} (tests hand {@code enqueue} its stdin and SQS client). */
  static int execute(CommandLine.IFactory factory, java.io.PrintWriter out, java.io.PrintWriter err,
      String... args) {
    return execute(new LaunchWorkerCommand(), factory, out, err, args);
  }
}
