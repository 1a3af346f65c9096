package io.launchworker.cli;

import io.launchworker.config.ConfigException;
import io.launchworker.ops.Secrets;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The {@code launch-worker} command as production runs it: {@code run}, {@code check-config}, {@code enqueue} and
 * {@code audit}. The main class of {@code target/ec2-launch-worker-service.jar}, which carries no sandbox, bench
 * or ElasticMQ classes: nothing this command tree reaches may refer to them (ServiceJarIT checks the jar).
 * {@link LaunchWorkerCommand} is the same command plus the local tools.
 *
 * <p>Exit codes, the same for every command (the README's table): 0 success,
 * 1 a check found a failure, 2 bad configuration or usage (including a region, credentials, endpoint or port
 * that does not work), 130 interrupted (Ctrl-C) before it finished.
 */
@Command(name = "launch-worker", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
    versionProvider = Version.class,
    description = "Consumes EC2 launch requests from SQS and launches each exactly once.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:a check found a failure (a duplicate launch, a request not sent)",
        "2:bad configuration or usage", "130:interrupted (Ctrl-C)"},
    subcommands = {RunCommand.class, CheckConfigCommand.class, EnqueueCommand.class, AuditCommand.class})
public class ServiceCommand {
  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_CONFIG = 2;
  /** 128 + SIGINT, what a shell reports for a command Ctrl-C stopped. */
  static final int EXIT_INTERRUPTED = 130;

  static final String LOG_FORMAT_PROPERTY = "launcher.log.format";
  static final String LOG_FORMAT_VARIABLE = "LAUNCHER_LOG_FORMAT";

  public static void main(String[] args) {
    chooseLogFormat(args);
    System.exit(execute(args));
  }

  /**
   * JSON lines for {@code run} (log pipelines), readable text for the interactive commands, unless
   * {@code LAUNCHER_LOG_FORMAT} or {@code -Dlauncher.log.format} says otherwise. Must run before the first
   * logger is created: logback reads the property when it configures itself. A value that is neither
   * {@code json} nor {@code text} is left alone here and refused by {@link #execute}.
   */
  static void chooseLogFormat(String[] args) {
    Optional<String> given = Optional.ofNullable(System.getProperty(LOG_FORMAT_PROPERTY))
        .or(() -> Optional.ofNullable(System.getenv(LOG_FORMAT_VARIABLE)));
    if (given.isPresent()) {
      logFormat(given.get()).ifPresent(format -> System.setProperty(LOG_FORMAT_PROPERTY, format));
      return;
    }
    boolean run = java.util.Arrays.asList(args).contains("run");
    System.setProperty(LOG_FORMAT_PROPERTY, run ? "json" : "text");
  }

  /** {@code json} or {@code text}, in any case and with blanks around it; empty for anything else. */
  private static Optional<String> logFormat(String value) {
    String format = value.trim().toLowerCase(Locale.ROOT);
    return format.equals("json") || format.equals("text") ? Optional.of(format) : Optional.empty();
  }

  /** The one line that refuses a log format nobody can read, or empty when the format is fine. */
  private static Optional<String> logFormatProblem() {
    String property = System.getProperty(LOG_FORMAT_PROPERTY);
    String variable = System.getenv(LOG_FORMAT_VARIABLE);
    String source = property != null ? "-D" + LOG_FORMAT_PROPERTY : LOG_FORMAT_VARIABLE;
    String value = property != null ? property : variable;
    if (value == null || logFormat(value).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(source + " = \"" + value + "\": must be json or text (or unset: json for run, text "
        + "for the other commands)");
  }

  /** Runs the command line and returns the exit code. */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs the command line with the given output streams and returns the exit code (for tests). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return execute(new ServiceCommand(), CommandLine.defaultFactory(), out, err, args);
  }

  /**
   * Runs {@code root} (this command or one that adds subcommands to it), its commands made by {@code factory}
   * (tests hand {@code enqueue} its stdin and SQS client). {@code help} comes last, after every subcommand.
   */
  static int execute(ServiceCommand root, CommandLine.IFactory factory, PrintWriter out, PrintWriter err,
      String... args) {
    Optional<String> logFormat = logFormatProblem();
    if (logFormat.isPresent()) {
      err.println("launch-worker: configuration error: " + logFormat.get());
      return EXIT_CONFIG;
    }
    CommandLine cli = new CommandLine(root, factory);
    cli.addSubcommand(new CommandLine.HelpCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(ServiceCommand::usageError);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof ConfigException) {
        commandLine.getErr().println("launch-worker: configuration error: " + Secrets.mask(e.getMessage()));
        return EXIT_CONFIG;
      }
      if (e instanceof SetupException) {
        commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": "
            + Secrets.mask(e.getMessage()));
        return EXIT_CONFIG;
      }
      throw e;
    });
    return cli.execute(args);
  }

  /**
   * A usage mistake: the reason, picocli's "did you mean" for a mistyped option or command, and where the help
   * is, instead of the whole usage text (which pushes the reason off the screen).
   */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println(commandLine.getCommandSpec().qualifiedName() + ": " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("See '" + commandLine.getCommandSpec().qualifiedName() + " --help'.");
    return EXIT_CONFIG;
  }
}
