package io.launchworker.ops;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import io.launchworker.config.AwsClients;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataResponse;

/**
 * The {@link CloudWatchAsyncClient} Micrometer's CloudWatch registry wants, answered by a synchronous
 * {@link CloudWatchClient} on one thread of its own. Why: the worker ships one HTTP client (Apache 5, synchronous);
 * a real async client would need Netty or CRT on the class path just for one PutMetricData a minute. Only
 * {@link #putMetricData(PutMetricDataRequest)} is implemented: it is the only call the registry makes; every other
 * operation throws {@link UnsupportedOperationException}, as the interface's defaults do. Thread-safe; failures
 * complete the returned future exceptionally (the registry logs them and tries again next step).
 */
final class BlockingCloudWatchAsyncClient implements CloudWatchAsyncClient {
  private final CloudWatchClient client;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "cloudwatch-publisher");
    t.setDaemon(true);
    return t;
  });

  BlockingCloudWatchAsyncClient(CloudWatchClient client) {
    this.client = client;
  }

  /** A client over Apache 5; region, credentials and endpoint from the SDK's chain unless given. */
  static BlockingCloudWatchAsyncClient create(Optional<String> region, Optional<URI> endpoint,
      AwsCredentialsProvider credentials) {
    return new BlockingCloudWatchAsyncClient(AwsClients.cloudWatch(region, endpoint, credentials));
  }

  @Override
  public CompletableFuture<PutMetricDataResponse> putMetricData(PutMetricDataRequest request) {
    return CompletableFuture.supplyAsync(() -> client.putMetricData(request), executor);
  }

  @Override
  public String serviceName() {
    return SERVICE_NAME;
  }

  @Override
  public void close() {
    executor.shutdown();
    client.close();
  }
}
