package io.launchworker.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the worker's two SDK clients, once per process, each with one connection pool sized for max in flight.
 * Region, credentials and endpoints come from the SDK's standard chain ({@code AWS_REGION},
 * {@code AWS_ENDPOINT_URL_SQS}, {@code AWS_ENDPOINT_URL_EC2}, {@code AWS_ENDPOINT_URL}, profiles, instance
 * roles) unless {@code launcher.aws} sets them.
 */
public final class AwsClients implements AutoCloseable {
  /**
   * Every SDK call is bounded, so no thread (the keeper's, the shutdown's) can hang on a dead connection: one
   * attempt at most 30 s (above the 20 s long poll), a call with its retries at most 60 s.
   */
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
  /** Beyond the handlers: the poller's long poll, the keeper, the delete flusher, the DLQ. */
  private static final int SQS_EXTRA_CONNECTIONS = 8;

  private final SqsClient sqs;
  private final Ec2Client ec2;

  public AwsClients(SqsClient sqs, Ec2Client ec2) {
    this.sqs = sqs;
    this.ec2 = ec2;
  }

  public static AwsClients create(WorkerConfig config, List<ExecutionInterceptor> ec2Interceptors) {
    return create(config, DefaultCredentialsProvider.builder().build(), ec2Interceptors);
  }

  /**
   * @param ec2Interceptors see every HTTP attempt of the EC2 client (the rate budget learns of throttles the
   *     SDK retried on its own)
   */
  public static AwsClients create(WorkerConfig config, AwsCredentialsProvider credentials,
      List<ExecutionInterceptor> ec2Interceptors) {
    SqsClient sqs = configure(SqsClient.builder(), config.aws().region(), config.aws().sqsEndpoint(), credentials)
        .httpClient(Apache5HttpClient.builder().maxConnections(config.maxInFlight() + SQS_EXTRA_CONNECTIONS).build())
        .overrideConfiguration(o -> o.apiCallAttemptTimeout(ATTEMPT_TIMEOUT).apiCallTimeout(CALL_TIMEOUT))
        .build();
    Ec2Client ec2 = configure(Ec2Client.builder(), config.aws().region(), config.aws().ec2Endpoint(), credentials)
        .httpClient(Apache5HttpClient.builder().maxConnections(config.maxInFlight() + 2).build())
        .overrideConfiguration(o -> o.executionInterceptors(ec2Interceptors).apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
            .apiCallTimeout(CALL_TIMEOUT))
        .build();
    return new AwsClients(sqs, ec2);
  }

  private static <B extends AwsClientBuilder<B, C>, C> B configure(B builder, Optional<String> region,
      Optional<URI> endpoint, AwsCredentialsProvider credentials) {
    region.map(Region::of).ifPresent(builder::region);
    endpoint.ifPresent(builder::endpointOverride);
    return builder.credentialsProvider(credentials);
  }

  public SqsClient sqs() {
    return sqs;
  }

  public Ec2Client ec2() {
    return ec2;
  }

  @Override
  public void close() {
    sqs.close();
    ec2.close();
  }
}
