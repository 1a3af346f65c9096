package io.launchworker.sandbox;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * ElasticMQ on loopback: a real SQS API (JSON protocol) for the sandbox and the tests. Starting the first one
 * in a JVM takes about a second. {@link #close()} stops it; a new one may be started on the same port (used to
 * simulate an SQS outage). Not thread-safe; one owner.
 */
public final class EmbeddedSqs implements AutoCloseable {
  /** Credentials ElasticMQ accepts (it ignores them); known strings so tests can check they are never logged. */
  public static final AwsBasicCredentials CREDENTIALS = AwsBasicCredentials.create("sandbox-key", "sandbox-secret");
  public static final Region REGION = Region.US_EAST_1;

  private final SQSRestServer server;
  private final int port;
  private final SqsClient client;

  private EmbeddedSqs(SQSRestServer server, int port) {
    this.server = server;
    this.port = port;
    this.client = SqsClient.builder().endpointOverride(endpoint()).region(REGION)
        .credentialsProvider(StaticCredentialsProvider.create(CREDENTIALS))
        .httpClient(Apache5HttpClient.builder().maxConnections(16).build()).build();
  }

  /** Starts on a free port of 127.0.0.1. */
  public static EmbeddedSqs start() {
    return start(0);
  }

  /** Starts on the given port (0 = any free port). */
  public static EmbeddedSqs start(int port) {
    org.elasticmq.rest.sqs.TheSQSRestServerBuilder builder = org.elasticmq.rest.sqs.SQSRestServerBuilder$.MODULE$;
    org.elasticmq.rest.sqs.TheSQSRestServerBuilder configured =
        port == 0 ? builder.withDynamicPort() : builder.withPort(port);
    SQSRestServer server = configured.withInterface("127.0.0.1").withAWSRegion(REGION.id()).start();
    int bound = server.waitUntilStarted().localAddress().getPort();
    return new EmbeddedSqs(server, bound);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  /** A client for the sandbox's own use (creating queues, reading the DLQ). */
  public SqsClient client() {
    return client;
  }

  /** Creates a standard queue and returns its URL. */
  public String createQueue(String name, Duration visibilityTimeout) {
    return createQueue(name, Map.of(QueueAttributeName.VISIBILITY_TIMEOUT,
        Long.toString(visibilityTimeout.toSeconds())));
  }

  public String createQueue(String name, Map<QueueAttributeName, String> attributes) {
    return client.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
  }

  /** Visible plus in-flight plus delayed messages of a queue. */
  public long depth(String queueUrl) {
    Map<QueueAttributeName, String> a = client.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
    return a.values().stream().mapToLong(Long::parseLong).sum();
  }

  @Override
  public void close() {
    client.close();
    server.stopAndWait();
  }
}
