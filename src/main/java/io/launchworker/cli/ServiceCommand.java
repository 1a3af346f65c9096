package io.launchworker.cli;

import io.launchworker.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code launch-worker} command as production runs it: {@code run}, {@code check-config}, {@code enqueue} and
 * {@code audit}. The main class of {@code target/ec2-launch-worker-service.jar}, which carries no sandbox, bench
 * or ElasticMQ classes: nothing this command tree reaches may refer to them (ServiceJarIT checks the jar).
 * {@link LaunchWorkerCommand} is the same command plus the local tools. Exit codes: 0 success, 1 failure found,
 * 2 bad configuration or usage.
 */
@Command(name = "launch-worker", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Consumes EC2 launch requests from SQS and launches each exactly once.",
    subcommands = {RunCommand.class, CheckConfigCommand.class, EnqueueCommand.class, AuditCommand.class})
public class ServiceCommand {
  static final int EXIT_CONFIG = 2;

  public static void main(String[] args) {
    chooseLogFormat(args);
    System.exit(execute(args));
  }

  /**
   * JSON lines for {@code run} (log pipelines), readable text for the interactive commands, unless
   * {@code LAUNCHER_LOG_FORMAT} or {@code -Dlauncher.log.format} says otherwise. Must run before the first
   * logger is created: logback reads the property when it configures itself.
   */
  static void chooseLogFormat(String[] args) {
    if (System.getProperty("launcher.log.format") != null || System.getenv("LAUNCHER_LOG_FORMAT") != null) {
      return;
    }
    boolean run = java.util.Arrays.asList(args).contains("run");
    System.setProperty("launcher.log.format", run ? "json" : "text");
  }

  /** Runs the command line and returns the exit code. */
  public static int execute(String... args) {
    return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** Runs the command line with the given output streams and returns the exit code (for tests). */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    return execute(new ServiceCommand(), CommandLine.defaultFactory(), out, err, args);
  }

  /**
   * Runs {@code root} (this command or one that adds subcommands to it), its commands made by {@code factory}
   * (tests hand {@code enqueue} its stdin and SQS client). {@code help} comes last, after every subcommand.
   */
  static int execute(ServiceCommand root, CommandLine.IFactory factory, java.io.PrintWriter out,
      java.io.PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(root, factory);
    cli.addSubcommand(new CommandLine.HelpCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof ConfigException) {
        commandLine.getErr().println("launch-worker: configuration error: "
            + io.launchworker.ops.Secrets.mask(e.getMessage()));
        return EXIT_CONFIG;
      }
      throw e;
    });
    return cli.execute(args);
  }
}
