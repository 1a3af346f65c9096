package io.launchworker.cli;

import io.launchworker.config.WorkerConfig;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * {@code run}: the worker. Runs until SIGTERM or SIGINT, then stops gracefully (see {@code Worker#shutdown})
 * and exits 0.
 */
@Command(name = "run", description = "Run the worker until SIGTERM/SIGINT.")
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
  /** Beyond the grace: the final delete flush and closing the clients. */
  private static final java.time.Duration STOP_MARGIN = java.time.Duration.ofSeconds(10);

  @Mixin
  ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    WorkerConfig settings = config.load();
    StopSignals signals = StopSignals.install(settings.shutdownGrace().plus(STOP_MARGIN));
    try (WorkerRuntime runtime = WorkerRuntime.start(settings, DefaultCredentialsProvider.builder().build())) {
      runtime.adminPort().ifPresent(p -> log.info("admin server on port {}", p));
      signals.awaitStopRequest();
      log.info("termination signal received");
    } finally {
      signals.stopped();
    }
    return 0;
  }
}
