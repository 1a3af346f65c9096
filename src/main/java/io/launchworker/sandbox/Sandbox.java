package io.launchworker.sandbox;

import io.launchworker.sandbox.ec2.Ec2Emulator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A machine-local stand-in for AWS: embedded ElasticMQ with a source queue and a DLQ, and the EC2 emulator,
 * both on loopback. {@link #workerOverrides()} gives the configuration that points a worker at them.
 */
public final class Sandbox implements AutoCloseable {
  public static final String QUEUE = "launch-requests";
  public static final String DLQ = "launch-requests-dlq";
  public static final String RESULTS = "launch-results";

  private final EmbeddedSqs sqs;
  private final Ec2Emulator ec2;
  private final String queueUrl;
  private final String dlqUrl;
  private final String resultsUrl;

  private Sandbox(EmbeddedSqs sqs, Ec2Emulator ec2, String queueUrl, String dlqUrl, String resultsUrl) {
    this.sqs = sqs;
    this.ec2 = ec2;
    this.queueUrl = queueUrl;
    this.dlqUrl = dlqUrl;
    this.resultsUrl = resultsUrl;
  }

  public static Sandbox start(Duration visibilityTimeout) {
    EmbeddedSqs sqs = EmbeddedSqs.start();
    Ec2Emulator ec2 = Ec2Emulator.start();
    String dlq = sqs.createQueue(DLQ, visibilityTimeout);
    String queue = sqs.createQueue(QUEUE, visibilityTimeout);
    String results = sqs.createQueue(RESULTS, visibilityTimeout);
    return new Sandbox(sqs, ec2, queue, dlq, results);
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

  /** Configuration keys that point a worker at this sandbox. */
  public Map<String, Object> workerOverrides() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("launcher.queue-url", queueUrl);
    o.put("launcher.dlq-url", dlqUrl);
    o.put("launcher.aws.region", EmbeddedSqs.REGION.id());
    o.put("launcher.aws.sqs-endpoint", sqs.endpoint().toString());
    o.put("launcher.aws.ec2-endpoint", ec2.endpoint().toString());
    return o;
  }

  @Override
  public void close() {
    ec2.close();
    sqs.close();
  }
}
