package io.launchworker.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import io.launchworker.request.LaunchShape;
import java.util.function.Predicate;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the worker's SDK clients, once per process: SQS and EC2, each with one connection pool sized for max in
 * flight, and the poller's own SQS connection ({@link ReceiveClient}).
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
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
  /** Beyond the handlers: the keeper, the delete flusher, the DLQ, queue depths. */
  private static final int SQS_EXTRA_CONNECTIONS = 8;

  private final SqsClient sqs;
  private final ReceiveClient receiver;
  private final Ec2Client ec2;

  public AwsClients(SqsClient sqs, ReceiveClient receiver, Ec2Client ec2) {
    this.sqs = sqs;
    this.receiver = receiver;
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
    return new AwsClients(
        sqs(config.aws().region(), config.aws().sqsEndpoint(), credentials,
            config.maxInFlight() + SQS_EXTRA_CONNECTIONS),
        ReceiveClient.create(config.aws().region(), config.aws().sqsEndpoint(), credentials, List.of()),
        ec2(config.aws().region(), config.aws().ec2Endpoint(), credentials, config.maxInFlight() + 2,
            ec2Interceptors));
  }

  /**
   * Every SQS client of the project (the worker's, {@code enqueue}'s): Apache 5, the same timeouts, the given
   * credentials; region and endpoint from the SDK's chain unless given.
   */
  public static SqsClient sqs(Optional<String> region, Optional<URI> endpoint, AwsCredentialsProvider credentials,
      int connections) {
    return sqs(region, endpoint, credentials, Apache5HttpClient.builder().maxConnections(connections).build(),
        List.of());
  }

  static SqsClient sqs(Optional<String> region, Optional<URI> endpoint, AwsCredentialsProvider credentials,
      SdkHttpClient http, List<ExecutionInterceptor> interceptors) {
    return configure(SqsClient.builder(), region, endpoint, credentials, http, interceptors, attempt -> false)
        .build();
  }

  /** Every EC2 client of the project (the worker's, {@code audit}'s), as {@link #sqs}. */
  public static Ec2Client ec2(Optional<String> region, Optional<URI> endpoint, AwsCredentialsProvider credentials,
      int connections, List<ExecutionInterceptor> interceptors) {
    return configure(Ec2Client.builder(), region, endpoint, credentials,
        Apache5HttpClient.builder().maxConnections(connections).build(), interceptors,
        AwsClients::neverRepeatedOnEc2).build();
  }

  /** The CloudWatch client metrics are published with, as {@link #sqs}. */
  public static CloudWatchClient cloudWatch(Optional<String> region, Optional<URI> endpoint,
      AwsCredentialsProvider credentials) {
    return configure(CloudWatchClient.builder(), region, endpoint, credentials,
        Apache5HttpClient.builder().maxConnections(2).build(), List.of(), attempt -> false).build();
  }

  private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B configure(B builder,
      Optional<String> region, Optional<URI> endpoint, AwsCredentialsProvider credentials, SdkHttpClient http,
      List<ExecutionInterceptor> interceptors, Predicate<RefreshRetryTokenRequest> neverRetried) {
    region.map(Region::of).ifPresent(builder::region);
    endpoint.ifPresent(builder::endpointOverride);
    builder.httpClient(http);
    builder.overrideConfiguration(o -> o.executionInterceptors(interceptors).apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
        .apiCallTimeout(CALL_TIMEOUT)
        .retryStrategy(retries -> retries.doNotRetryWhen(neverRetried)));
    return builder.credentialsProvider(credentials);
  }

  /**
   * What the EC2 client must not repeat on its own, the worker deciding instead:
   * <ul>
   *   <li>a capacity refusal ({@link LaunchShape#FALLBACK_CODES}; {@code InsufficientInstanceCapacity} comes with
   *       HTTP 500): a repeat costs a RunInstances call outside the worker's budget and is answered alike, while
   *       the worker moves on to the next shape;
   *   <li>a RunInstances call that failed other than by throttling (no answer, a 5xx): it may have launched, and
   *       an endpoint that ignores ClientToken (LocalStack, moto, a proxy that rewrites it) would launch again. The
   *       worker looks the token up first, then asks the same shape again;
   *   <li>a throttled RunInstances call: the worker asks again itself, after a token of its rate gate, which the
   *       throttle has just slowed down ({@code LaunchHandler.THROTTLED_REPEATS}). A repeat by the SDK would go
   *       beside the gate, and a repeat throttled again would lower the replica's share once more for one signal.
   * </ul>
   * Other calls' failures, throttles included, are repeated as before. An answer without an error code (a proxy's
   * HTML page) is decided by the operation alone.
   */
  static boolean neverRepeatedOnEc2(RefreshRetryTokenRequest attempt) {
    Throwable failure = attempt.failure();
    // A throw here would make the SDK give up on the call and log "A doNotRetryWhen predicate threw an exception".
    if (AwsErrors.code(failure).filter(LaunchShape::isFallbackCode).isPresent()) {
      return true;
    }
    return "RunInstances".equals(attempt.operationName().orElse(null));
  }

  public SqsClient sqs() {
    return sqs;
  }

  /** The poller's own SQS client, whose long poll a stop ends at once. */
  public ReceiveClient receiver() {
    return receiver;
  }

  public Ec2Client ec2() {
    return ec2;
  }

  @Override
  public void close() {
    sqs.close();
    receiver.close();
    ec2.close();
  }
}
