package io.launchworker.cli;

import io.launchworker.config.WorkerConfig;
import io.launchworker.sandbox.DemoMix;
import io.launchworker.sandbox.DemoReport;
import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.sandbox.Sandbox;
import java.io.PrintWriter;
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
 * mix of requests (valid ones, a duplicate delivery, a lost EC2 answer, a malformed body, a policy violation).
 * Prints what became of them. Exit 0 when every request was settled with zero duplicate launches, else 1.
 */
@Command(name = "sandbox", description = "Run the worker against embedded SQS and EC2 stand-ins with a demo mix.")
final class SandboxCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config;

  @Option(names = "--exit-when-done", description = "Exit once the demo mix is settled (for scripts).")
  boolean exitWhenDone;

  @Option(names = "--admin-port", defaultValue = "0", description = "Admin server port (0 = any free port).")
  int adminPort;

  @Option(names = "--timeout", defaultValue = "60s", converter = DurationConverter.class,
      description = "Longest wait for the demo mix to settle (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    try (Sandbox sandbox = Sandbox.start(Duration.ofSeconds(30))) {
      Map<String, Object> overrides = new LinkedHashMap<>(sandbox.workerOverrides());
      overrides.put("launcher.admin.port", adminPort);
      overrides.put("launcher.sqs.wait-time", "2s");
      overrides.put("launcher.policy.allowed-instance-types", List.of("t3.*", "t4g.*"));
      WorkerConfig settings = config.load(overrides);
      DemoMix demo = new DemoMix(sandbox, settings);
      demo.prepare();
      try (WorkerRuntime runtime = WorkerRuntime.start(settings,
          StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS))) {
        out.printf("sandbox: SQS %s, EC2 %s%n", sandbox.sqs().endpoint(), sandbox.ec2().endpoint());
        runtime.adminPort().ifPresent(p -> out.printf("sandbox: status page http://127.0.0.1:%d/ , metrics "
            + "http://127.0.0.1:%d/metrics%n", p, p));
        out.flush();
        boolean settled = demo.awaitSettled(runtime.worker(), runtime.registry(), timeout);
        DemoReport report = DemoReport.of(demo.sent(), runtime.registry(), sandbox.ec2().stats(), settled);
        out.print(report.table());
        out.flush();
        if (!exitWhenDone) {
          out.println("sandbox: running; send more to " + sandbox.queueUrl() + "; Ctrl-C to stop");
          out.flush();
          StopSignals signals = StopSignals.install(settings.shutdownGrace());
          try {
            signals.awaitStopRequest();
          } finally {
            signals.stopped();
          }
        }
        return report.ok() ? 0 : 1;
      }
    }
  }
}
