package io.launchworker.cli;

import io.launchworker.config.WorkerConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

  @Mixin
  ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    WorkerConfig settings = config.load();
    CountDownLatch stop = new CountDownLatch(1);
    StopSignals.onTermination(stop::countDown);
    try (WorkerRuntime runtime = WorkerRuntime.start(settings, DefaultCredentialsProvider.builder().build())) {
      runtime.adminPort().ifPresent(p -> log.info("admin server on port {}", p));
      stop.await();
      log.info("termination signal received");
    }
    return 0;
  }
}
