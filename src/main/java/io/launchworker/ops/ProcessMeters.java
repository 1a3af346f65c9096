package io.launchworker.ops;

import io.launchworker.config.WorkerConfig;
import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;

/**
 * The process's meter registries, chosen by {@code launcher.metrics.registry}. The Prometheus registry always
 * exists ({@code /metrics} serves it, and the status page and tests read it); with {@code cloudwatch} the worker
 * records into a {@link CompositeMeterRegistry} of Prometheus and CloudWatch, so both see every meter, and the
 * CloudWatch registry publishes once per {@code launcher.metrics.step} on its own thread. Thread-safe.
 * {@link #close()} publishes the last step to CloudWatch (best effort: a failure is logged by Micrometer) and
 * closes its client.
 */
public final class ProcessMeters implements AutoCloseable {
  private final PrometheusMeterRegistry prometheus;
  private final MeterRegistry recording;
  private final Optional<CloudWatchMeterRegistry> cloudWatch;
  private final Optional<CloudWatchAsyncClient> cloudWatchClient;

  private ProcessMeters(PrometheusMeterRegistry prometheus, MeterRegistry recording,
      Optional<CloudWatchMeterRegistry> cloudWatch, Optional<CloudWatchAsyncClient> cloudWatchClient) {
    this.prometheus = prometheus;
    this.recording = recording;
    this.cloudWatch = cloudWatch;
    this.cloudWatchClient = cloudWatchClient;
  }

  /**
   * @param cloudWatchClient asked for only when the configuration chooses CloudWatch
   */
  public static ProcessMeters create(WorkerConfig.Metrics config, Supplier<CloudWatchAsyncClient> cloudWatchClient) {
    if (config.registry() == WorkerConfig.Metrics.Registry.PROMETHEUS) {
      PrometheusMeterRegistry prometheus = Metrics.prometheus();
      return new ProcessMeters(prometheus, prometheus, Optional.empty(), Optional.empty());
    }
    PrometheusMeterRegistry prometheus = Metrics.prometheus();
    CloudWatchAsyncClient client = cloudWatchClient.get();
    CloudWatchMeterRegistry cloudWatch = new CloudWatchMeterRegistry(
        cloudWatchConfig(config.cloudwatchNamespace(), config.step()), Clock.SYSTEM, client);
    CompositeMeterRegistry composite = new CompositeMeterRegistry(Clock.SYSTEM);
    composite.add(prometheus);
    composite.add(cloudWatch);
    // The JVM and process binders, bound to Prometheus by Metrics.prometheus(), go to CloudWatch as well.
    Metrics.bindProcessMeters(cloudWatch);
    return new ProcessMeters(prometheus, composite, Optional.of(cloudWatch), Optional.of(client));
  }

  /** The region, credentials and endpoint of the SDK's default chain, unless {@code launcher.aws} sets them. */
  public static Supplier<CloudWatchAsyncClient> sdkClient(WorkerConfig.Aws aws,
      software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials) {
    return () -> BlockingCloudWatchAsyncClient.create(aws.region(), aws.cloudwatchEndpoint(), credentials);
  }

  private static CloudWatchConfig cloudWatchConfig(String namespace, Duration step) {
    return new CloudWatchConfig() {
      @Override
      public String get(String key) {
        return null;
      }

      @Override
      public String namespace() {
        return namespace;
      }

      @Override
      public Duration step() {
        return step;
      }
    };
  }

  /** What {@code /metrics} serves. */
  public PrometheusMeterRegistry prometheus() {
    return prometheus;
  }

  /** What the worker records into: Prometheus alone, or the composite. */
  public MeterRegistry registry() {
    return recording;
  }

  /** True when meters are also published to CloudWatch. */
  public boolean publishesToCloudWatch() {
    return cloudWatch.isPresent();
  }

  @Override
  public void close() {
    cloudWatch.ifPresent(MeterRegistry::close);
    cloudWatchClient.ifPresent(CloudWatchAsyncClient::close);
  }
}
