package io.launchworker.sandbox;

import io.launchworker.sandbox.ec2.Ec2Emulator;
import io.launchworker.launch.Token;
import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.LaunchRequest;
import io.launchworker.request.ReadResult;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A machine-local stand-in for AWS: embedded ElasticMQ with a source queue, a DLQ and a results queue, and the
 * EC2 emulator, both on loopback. {@link #workerOverrides()} gives the configuration that points a worker at
 * them, with a token key made for this sandbox; the policy is the caller's. Not thread-safe: one owner (a test, the
 * sandbox command).
 */
public final class Sandbox implements AutoCloseable {
  public static final String QUEUE = "launch-requests";
  public static final String DLQ = "launch-requests-dlq";
  public static final String RESULTS = "launch-results";

  private final Duration visibilityTimeout;
  private EmbeddedSqs sqs;
  private final Ec2Emulator ec2;
  private final String queueUrl;
  private final String dlqUrl;
  private final String resultsUrl;
  /** The token key of this sandbox's workers; made at start, never printed. */
  private final String tokenKey;

  private Sandbox(EmbeddedSqs sqs, Ec2Emulator ec2, String queueUrl, String dlqUrl, String resultsUrl,
      Duration visibilityTimeout, String tokenKey) {
    this.visibilityTimeout = visibilityTimeout;
    this.tokenKey = tokenKey;
    this.sqs = sqs;
    this.ec2 = ec2;
    this.queueUrl = queueUrl;
    this.dlqUrl = dlqUrl;
    this.resultsUrl = resultsUrl;
  }

  public static Sandbox start(Duration visibilityTimeout) {
    return start(visibilityTimeout, java.time.Clock.systemUTC());
  }

  /** As {@link #start(Duration)}, the EC2 emulator keeping time (launch times, lags) on {@code ec2Clock}. */
  public static Sandbox start(Duration visibilityTimeout, java.time.Clock ec2Clock) {
    EmbeddedSqs sqs = EmbeddedSqs.start();
    Ec2Emulator ec2 = Ec2Emulator.start(ec2Clock);
    String[] urls = createQueues(sqs, visibilityTimeout);
    return new Sandbox(sqs, ec2, urls[0], urls[1], urls[2], visibilityTimeout, newTokenKey());
  }

  /** 32 random bytes in base64, as `openssl rand -base64 32` makes a production key. */
  private static String newTokenKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return java.util.Base64.getEncoder().encodeToString(key);
  }

  /** The token key {@link #workerOverrides()} gives, for a worker started another way (a child process). */
  public String tokenKey() {
    return tokenKey;
  }

  private static String[] createQueues(EmbeddedSqs sqs, Duration visibilityTimeout) {
    String dlq = sqs.createQueue(DLQ, visibilityTimeout);
    String queue = sqs.createQueue(QUEUE, visibilityTimeout);
    String results = sqs.createQueue(RESULTS, visibilityTimeout);
    return new String[] {queue, dlq, results};
  }

  /** Stops SQS: an outage. Whatever the queues held is gone (ElasticMQ keeps it in memory). */
  public void stopSqs() {
    sqs.close();
  }

  /** Starts SQS again on the same port with the same (now empty) queues, so their URLs still work. */
  public void startSqsAgain() {
    sqs = EmbeddedSqs.start(sqs.port());
    createQueues(sqs, visibilityTimeout);
  }

  public EmbeddedSqs sqs() {
    return sqs;
  }

  public Ec2Emulator ec2() {
    return ec2;
  }

  public String queueUrl() {
    return queueUrl;
  }

  public String dlqUrl() {
    return dlqUrl;
  }

  /** A queue for result events; the worker sends to it only when configured to. */
  public String resultsUrl() {
    return resultsUrl;
  }

  /** An EC2 client for the emulator, for plays and checks of the sandbox's own (not the worker's client). */
  public Ec2Client ec2Client(int connections) {
    return Ec2Client.builder().endpointOverride(ec2.endpoint()).region(EmbeddedSqs.REGION)
        .credentialsProvider(StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS))
        .httpClient(Apache5HttpClient.builder().maxConnections(connections).build()).build();
  }

  /**
   * Plays a worker that received the next message, launched it exactly as the worker would (message ID as
   * token, the worker's tags), and died before deleting it: the message comes back after {@code visibility}
   * as a redelivery. Returns the message it received.
   */
  public Message launchAndCrash(Duration visibility, LaunchPolicy policy, LaunchDefaults defaults) {
    Message message = sqs.client().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1)
        .visibilityTimeout((int) visibility.toSeconds()).waitTimeSeconds(5)).messages().get(0);
    LaunchRequest request = ((ReadResult.Accepted) new RequestReader(policy, defaults).read(message.body())).request();
    try (Ec2Client client = ec2Client(1)) {
      client.runInstances(new RunInstancesMapper(defaults).map(request, Token.fromMessageId(message.messageId()),
          message.messageId()));
    }
    return message;
  }

  /** Configuration keys that point a worker at this sandbox. */
  public Map<String, Object> workerOverrides() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("launcher.queue-url", queueUrl);
    o.put("launcher.dlq-url", dlqUrl);
    o.put("launcher.aws.region", EmbeddedSqs.REGION.id());
    o.put("launcher.aws.sqs-endpoint", sqs.endpoint().toString());
    o.put("launcher.aws.ec2-endpoint", ec2.endpoint().toString());
    // The emulator's DescribeInstances shows a launch at once (unless told to lag): two seconds of doubt are enough
    // here, where AWS needs the built-in two minutes.
    o.put("launcher.retry.consistency-window", "2s");
    // Its own key: the sandbox signs the token attribute as production must, with nothing to configure.
    o.put("launcher.token-key", tokenKey);
    return o;
  }

  @Override
  public void close() {
    ec2.close();
    sqs.close();
  }
}
