package io.launchworker.cli;

import io.launchworker.config.WorkerConfig;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.sandbox.DemoMix;
import io.launchworker.sandbox.DemoReport;
import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.sandbox.Sandbox;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@code sandbox}: embedded ElasticMQ and the EC2 emulator on loopback, the worker pointed at them, and a demo
 * mix of requests (valid ones, a duplicate delivery, a lost EC2 answer, one that falls back to its second instance
 * type, a malformed body, a policy violation). {@code --capacity} adds limits to the emulator's capacity before the
 * demo's own. Its log lines go to a file it names (see {@link SandboxLog}). Prints its policy and capacity, what
 * became of the mix and, while it keeps running, the
 * {@code enqueue} and {@code audit} command lines that reach it. Exit 0 when every request was settled with zero duplicate launches, else 1; 2 when
 * the admin port is taken; 130 on Ctrl-C before the mix settled.
 */
@Command(name = "sandbox", description = "Run the worker against embedded SQS and EC2 stand-ins with a demo mix.")
final class SandboxCommand implements Callable<Integer> {
  /** The sandbox's own instance types, on top of any --config: every demo request names one of these types. */
  static final List<String> INSTANCE_TYPES = List.of("t3.*", "t4g.*");

  /**
   * The sandbox's own policy, on top of any --config, as narrow as its demo allows: its one image and its instance
   * types. Subnets and security groups are any: the emulator has no VPC, and the demo's requests name none. Key pairs,
   * instance profiles and launch templates stay as configured (by default none).
   */
  static Map<String, Object> policy() {
    Map<String, Object> policy = new LinkedHashMap<>();
    policy.put("launcher.policy.allowed-image-ids", List.of(SandboxInstructions.IMAGE_ID));
    policy.put("launcher.policy.allowed-instance-types", INSTANCE_TYPES);
    policy.put("launcher.policy.allowed-subnet-ids", List.of(LaunchPolicy.ANY));
    policy.put("launcher.policy.allowed-security-group-ids", List.of(LaunchPolicy.ANY));
    return policy;
  }

  @Mixin
  ConfigOption config;

  @Option(names = "--exit-when-done", description = "Exit once the demo mix is settled (for scripts).")
  boolean exitWhenDone;

  @Option(names = "--admin-port", defaultValue = "0", description = "Admin server port (0 = any free port).")
  int adminPort;

  @Option(names = "--timeout", defaultValue = "60s", converter = DurationConverter.class,
      description = "Longest wait for the demo mix to settle (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--capacity", paramLabel = CapacityOption.LABEL, converter = CapacityOption.Converter.class,
      description = CapacityOption.HELP + " Applied before the demo's own limit (no t3.large), so it decides first.")
  CapacityOption capacity;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Path logFile = logFile();
    try (SandboxLog log = SandboxLog.toFile(logFile); Sandbox sandbox = Sandbox.start(Duration.ofSeconds(30))) {
      Map<String, Object> overrides = new LinkedHashMap<>(sandbox.workerOverrides());
      overrides.put("launcher.admin.port", adminPort);
      overrides.put("launcher.sqs.wait-time", "2s");
      overrides.putAll(policy());
      WorkerConfig settings = config.load(overrides);
      DemoMix demo = new DemoMix(sandbox, settings);
      demo.prepare(CapacityOption.of(capacity));
      // Read before the worker starts: limits() gives what is left of each, and the worker takes from them.
      String limits = String.join(",", sandbox.ec2().capacity().limits().stream().map(Object::toString).toList());
      try (WorkerRuntime runtime = start(settings)) {
        out.printf("sandbox: SQS %s, EC2 %s, region %s%n", sandbox.sqs().endpoint(), sandbox.ec2().endpoint(),
            EmbeddedSqs.REGION.id());
        out.printf("sandbox: worker log %s (one line per request: each outcome, the demo's faults)%n", logFile);
        runtime.adminPort().ifPresent(p -> out.printf("sandbox: status page http://127.0.0.1:%d/ , metrics "
            + "http://127.0.0.1:%d/metrics%n", p, p));
        out.println("sandbox: policy: " + SandboxInstructions.policy(settings));
        out.println("sandbox: EC2 capacity: " + limits + " (the first matching limit decides; other launches "
            + "always succeed)");
        out.flush();
        boolean settled = demo.awaitSettled(runtime.worker(), runtime.registry(), timeout);
        DemoReport report = DemoReport.of(demo.sent(), runtime.registry(), sandbox.ec2(), settled);
        out.print(report.table());
        out.flush();
        if (!exitWhenDone) {
          out.println("sandbox: running; send more to " + sandbox.queueUrl() + "; Ctrl-C to stop");
          out.print(SandboxInstructions.commands(sandbox, settings));
          out.flush();
          StopSignals signals = StopSignals.install(settings.shutdownGrace());
          try {
            signals.awaitStopRequest();
          } finally {
            signals.stopped();
          }
        }
        return report.ok() ? LaunchWorkerCommand.EXIT_OK : LaunchWorkerCommand.EXIT_FAILED;
      }
    }
  }

  private static Path logFile() {
    try {
      return Files.createTempFile("launch-worker-sandbox-", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the sandbox's log file in " + System.getProperty("java.io.tmpdir"),
          e);
    }
  }

  private WorkerRuntime start(WorkerConfig settings) {
    try {
      return WorkerRuntime.start(settings, StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS));
    } catch (RuntimeException e) {
      throw AdminBind.explain(e, settings.admin().host() + ":" + adminPort,
              "give another --admin-port, or 0 for any free port",
              "set LAUNCHER_ADMIN_HOST or launcher.admin.host to an address of this machine, e.g. 127.0.0.1")
          .map(RuntimeException.class::cast).orElse(e);
    }
  }
}
