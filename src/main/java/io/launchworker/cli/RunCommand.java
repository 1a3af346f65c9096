package io.launchworker.cli;

import io.launchworker.config.AwsClients;
import io.launchworker.config.ConfigLoader;
import io.launchworker.config.WorkerConfig;
import io.launchworker.launch.Ec2Budget;
import io.launchworker.launch.Ec2CallObserver;
import io.launchworker.ops.ProcessMeters;
import io.launchworker.request.PolicySummary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * {@code run}: the worker. Refuses to start (exit 2, one line naming the keys) while the allow-lists every imageId
 * request needs are empty or no token key was decided ({@link ConfigLoader#requireDecided}), checks its set-up
 * ({@link Preflight}: exit 2 with one line when region, credentials, queues, endpoints or the admin port do not work),
 * logs its effective policy as {@code sandbox} prints it, then runs until SIGTERM or SIGINT, stops
 * gracefully (see {@code Worker#shutdown}) and exits 0.
 */
@Command(name = "run", description = "Run the worker until SIGTERM/SIGINT (then stop gracefully and exit 0).")
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
  /** Beyond the grace: the final delete flush and closing the clients. */
  private static final java.time.Duration STOP_MARGIN = java.time.Duration.ofSeconds(10);

  @Mixin
  ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    WorkerConfig settings = config.load();
    ConfigLoader.requireDecided(settings);
    Map<String, String> env = System.getenv();
    AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    Ec2Budget budget = Ec2Budget.of(settings.ec2());
    AwsClients clients = Preflight.clients(settings, credentials, List.of(new Ec2CallObserver(budget)),
        AwsSetup.forWorker(AwsSetup.Service.SQS, env, settings.aws()),
        AwsSetup.forWorker(AwsSetup.Service.EC2, env, settings.aws()),
        setting(env, "launcher.queue-url", settings.queueUrl()), setting(env, "launcher.dlq-url", settings.dlqUrl()));
    log.info("policy: {}", PolicySummary.of(settings.policy(), settings.defaults()));
    StopSignals signals = StopSignals.install(settings.shutdownGrace().plus(STOP_MARGIN));
    try (WorkerRuntime runtime = start(settings, clients, budget, credentials, env)) {
      runtime.adminPort().ifPresent(p -> log.info("admin server on port {}", p));
      signals.awaitStopRequest();
      log.info("termination signal received");
    } finally {
      signals.stopped();
    }
    return ServiceCommand.EXIT_OK;
  }

  private WorkerRuntime start(WorkerConfig settings, AwsClients clients, Ec2Budget budget,
      AwsCredentialsProvider credentials, Map<String, String> env) {
    try {
      return WorkerRuntime.start(settings, clients, budget, ProcessMeters.sdkClient(settings.aws(), credentials));
    } catch (RuntimeException e) {
      clients.close();
      WorkerConfig.Admin admin = settings.admin();
      throw AdminBind.explain(e, admin.host() + ":" + admin.port(),
          advice(env, "launcher.admin.port", "LAUNCHER_ADMIN_PORT", "a free port, 0 for any free port, or -1 for "
              + "no admin server"),
          advice(env, "launcher.admin.host", "LAUNCHER_ADMIN_HOST", "an address of this machine (127.0.0.1, or "
              + "0.0.0.0 for all)"))
          .map(RuntimeException.class::cast).orElse(e);
    }
  }

  /** {@code launcher.admin.port = "9400" (from built-in default): set LAUNCHER_ADMIN_PORT or … to …}. */
  private String advice(Map<String, String> env, String key, String variable, String to) {
    Optional<java.nio.file.Path> file = Optional.ofNullable(config.file);
    return key + " (from " + ConfigLoader.origin(file, env, Map.of(), key) + "): set " + variable + " or " + key
        + " to " + to;
  }

  private AwsSetup.Setting setting(Map<String, String> env, String key, String value) {
    return new AwsSetup.Setting(value, key + ", from " + ConfigLoader.origin(Optional.ofNullable(config.file), env,
        Map.of(), key));
  }
}
