package io.launchworker.cli;

import io.launchworker.config.AwsClients;
import io.launchworker.config.WorkerConfig;
import io.launchworker.launch.Ec2Budget;
import io.launchworker.launch.Ec2CallObserver;
import io.launchworker.ops.AdminServer;
import io.launchworker.ops.ProcessMeters;
import io.launchworker.ops.RecentOutcomes;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.poll.Worker;
import io.launchworker.poll.WorkerAssembly;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;

/**
 * A worker assembled for a process: SDK clients, meters, the worker and its admin server, started together and
 * stopped in reverse order. Used by {@code run} and {@code sandbox}.
 */
final class WorkerRuntime implements AutoCloseable {
  private final AwsClients clients;
  private final ProcessMeters meters;
  private final Worker worker;
  private final Optional<AdminServer> admin;

  private WorkerRuntime(AwsClients clients, ProcessMeters meters, Worker worker,
      Optional<AdminServer> admin) {
    this.clients = clients;
    this.meters = meters;
    this.worker = worker;
    this.admin = admin;
  }

  /** Builds clients (with their credentials) and starts the worker. */
  static WorkerRuntime start(WorkerConfig config, AwsCredentialsProvider credentials) {
    Ec2Budget budget = Ec2Budget.of(config.ec2());
    AwsClients clients = AwsClients.create(config, credentials, List.of(new Ec2CallObserver(budget)));
    return start(config, clients, budget, ProcessMeters.sdkClient(config.aws(), credentials));
  }

  static WorkerRuntime start(WorkerConfig config, AwsClients clients, Ec2Budget budget) {
    return start(config, clients, budget,
        ProcessMeters.sdkClient(config.aws(), DefaultCredentialsProvider.builder().build()));
  }

  /** @param cloudWatch asked for only when {@code launcher.metrics.registry = cloudwatch} */
  static WorkerRuntime start(WorkerConfig config, AwsClients clients, Ec2Budget budget,
      Supplier<CloudWatchAsyncClient> cloudWatch) {
    ProcessMeters meters = ProcessMeters.create(config.metrics(), cloudWatch);
    PrometheusMeterRegistry registry = meters.prometheus();
    WorkerMetrics metrics = new WorkerMetrics(meters.registry());
    Clock clock = Clock.systemUTC();
    RecentOutcomes recent = new RecentOutcomes(clock);
    Worker worker = WorkerAssembly.forConfig(config).clients(clients).budget(budget).metrics(metrics).clock(clock)
        .listener(recent).build();
    Optional<AdminServer> admin = Optional.empty();
    if (config.admin().enabled()) {
      try {
        admin = Optional.of(AdminServer.start(config.admin(), registry, worker.health(), recent));
      } catch (IOException e) {
        // Nothing started yet, but the clients' connection pools and the meters are open: close them first.
        meters.close();
        clients.close();
        throw new UncheckedIOException("admin server could not listen on " + config.admin().host() + ":"
            + config.admin().port() + " (launcher.admin.host / LAUNCHER_ADMIN_HOST, launcher.admin.port / "
            + "LAUNCHER_ADMIN_PORT)", e);
      }
    }
    worker.start();
    return new WorkerRuntime(clients, meters, worker, admin);
  }

  Worker worker() {
    return worker;
  }

  PrometheusMeterRegistry registry() {
    return meters.prometheus();
  }

  Optional<Integer> adminPort() {
    return admin.map(AdminServer::port);
  }

  /** Graceful stop: the worker within its grace period, then the admin server and the clients. */
  Worker.ShutdownReport stop() {
    Worker.ShutdownReport report = worker.shutdown();
    admin.ifPresent(AdminServer::close);
    meters.close();
    clients.close();
    return report;
  }

  @Override
  public void close() {
    stop();
  }
}
