package io.launchworker.e2e;

import static org.awaitility.Awaitility.await;

import io.launchworker.config.ConfigLoader;
import io.launchworker.config.ReceiveClient;
import io.launchworker.config.WorkerConfig;
import io.launchworker.launch.Ec2Budget;
import io.launchworker.launch.Ec2CallObserver;
import io.launchworker.launch.Ec2Port;
import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.poll.Worker;
import io.launchworker.poll.WorkerAssembly;
import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.sandbox.Sandbox;
import io.launchworker.sandbox.ec2.Ec2Emulator;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import io.launchworker.testing.ForwardingEc2Port;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * ElasticMQ, the EC2 emulator and any number of in-process workers, all talking through the real AWS SDK over
 * loopback. Each worker has its own SDK clients and meter registry, as separate processes would.
 */
final class SandboxHarness implements AutoCloseable {
  static final String AMI = "ami-0123456789abcdef0";
  /** ElasticMQ's SenderId: one fixed value for every sender, so every producer here is the same sender. */
  static final String SENDER_ID = "127.0.0.1";

  /** The token the worker launches a request with this {@code clientToken} under, sent to this sandbox. */
  static String token(String clientToken) {
    return io.launchworker.launch.Token.scoped(Optional.of(SENDER_ID), clientToken);
  }

  final Sandbox sandbox;
  private final List<RunningWorker> workers = new ArrayList<>();

  SandboxHarness(Duration queueVisibility) {
    this.sandbox = Sandbox.start(queueVisibility);
  }

  SandboxHarness() {
    this(Duration.ofSeconds(5));
  }

  Ec2Emulator ec2() {
    return sandbox.ec2();
  }

  SqsClient sqs() {
    return sandbox.sqs().client();
  }

  /**
   * Test defaults: short polls so shutdown is quick, short back-off so retries come back within a test, a policy that
   * allows every image, type, subnet, group, key pair and profile.
   */
  Map<String, Object> baseOverrides() {
    Map<String, Object> o = new LinkedHashMap<>(sandbox.workerOverrides());
    o.put("launcher.admin.port", -1);
    o.put("launcher.sqs.wait-time", "1s");
    o.put("launcher.sqs.visibility-timeout", "5s");
    o.put("launcher.sqs.delete-flush-interval", "50ms");
    o.put("launcher.sqs.receive-error-backoff", "100ms");
    o.put("launcher.retry.base-delay", "1s");
    o.put("launcher.retry.max-delay", "2s");
    o.put("launcher.retry.capacity-delay", "1s");
    o.put("launcher.retry.consistency-window", "1s");
    o.put("launcher.retry.quota-delay", "1s");
    o.put("launcher.shutdown.grace", "10s");
    // Most tests measure correctness, not pacing: a budget that does not get in the way.
    o.put("launcher.ec2.run-instances-burst", 1000);
    o.put("launcher.ec2.run-instances-per-second", 1000);
    // Most tests are not about policy: every list "*", written out (empty allows nothing); the sandbox's token key.
    // Launch templates stay closed unless a test lists them.
    for (String list : List.of("image-ids", "instance-types", "subnet-ids", "security-group-ids", "key-names",
        "instance-profiles")) {
      o.put("launcher.policy.allowed-" + list, List.of("*"));
    }
    return o;
  }

  WorkerConfig config(UnaryOperator<Map<String, Object>> tweak) {
    return ConfigLoader.load(java.util.Optional.empty(), Map.of(), tweak.apply(baseOverrides()));
  }

  RunningWorker startWorker() {
    return startWorker(config(o -> o));
  }

  RunningWorker startWorker(WorkerConfig config) {
    return startWorker(config, port -> port);
  }

  /** Starts a worker; {@code wrap} may decorate its EC2 port (to simulate a crash, say). */
  RunningWorker startWorker(WorkerConfig config, UnaryOperator<Ec2Port> wrap) {
    return startWorker(config, wrap, Clock.systemUTC());
  }

  /** Starts a worker whose clock is {@code clock} (e.g. offset, to make messages look old). */
  RunningWorker startWorker(WorkerConfig config, UnaryOperator<Ec2Port> wrap, Clock clock) {
    return startWorker(config, wrap, clock, List.of(), false);
  }

  /**
   * Starts a worker whose SQS and EC2 clients also run {@code interceptors} (to record the operations it calls),
   * and whose registry carries the JVM and process binders, as {@code run}'s does.
   */
  RunningWorker startWorker(WorkerConfig config, List<ExecutionInterceptor> interceptors) {
    return startWorker(config, port -> port, Clock.systemUTC(), interceptors, true);
  }

  private RunningWorker startWorker(WorkerConfig config, UnaryOperator<Ec2Port> wrap, Clock clock,
      List<ExecutionInterceptor> interceptors, boolean processMeters) {
    SqsClient sqs = SqsClient.builder().endpointOverride(sandbox.sqs().endpoint()).region(EmbeddedSqs.REGION)
        .credentialsProvider(StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS))
        .httpClient(Apache5HttpClient.builder().maxConnections(config.maxInFlight() + 8).build())
        .overrideConfiguration(o -> interceptors.forEach(o::addExecutionInterceptor)).build();
    Ec2Budget budget = Ec2Budget.of(config.ec2());
    // The worker's own factory: its timeouts and what the SDK may repeat are part of what is tested.
    List<ExecutionInterceptor> ec2Interceptors = new ArrayList<>();
    ec2Interceptors.add(new Ec2CallObserver(budget));
    ec2Interceptors.addAll(interceptors);
    Ec2Client ec2 = io.launchworker.config.AwsClients.ec2(Optional.of(EmbeddedSqs.REGION.id()),
        Optional.of(sandbox.ec2().endpoint()), StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS),
        config.maxInFlight() + 2, ec2Interceptors);
    // The binders first: they bring a meter filter, which must come before any meter.
    PrometheusMeterRegistry registry = processMeters ? io.launchworker.ops.Metrics.prometheus()
        : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    WorkerMetrics metrics = new WorkerMetrics(registry);
    // The poller's own connection, as run's: a stop ends its long poll at once.
    ReceiveClient receiver = ReceiveClient.create(Optional.of(EmbeddedSqs.REGION.id()),
        Optional.of(sandbox.sqs().endpoint()), StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS),
        interceptors);
    Worker worker = WorkerAssembly.forConfig(config).sqs(sqs).receiver(receiver).ec2(ec2).decorateEc2(wrap)
        .budget(budget).metrics(metrics).clock(clock).random(new SplittableRandom(42)).build();
    worker.start();
    RunningWorker running = new RunningWorker(worker, registry, sqs, receiver, ec2);
    workers.add(running);
    return running;
  }

  Ec2Client ec2Client(int connections) {
    return sandbox.ec2Client(connections);
  }


  /** An EC2 port whose look-ups (either filter) find nothing while {@code lagging} is set. */
  static Ec2Port lookupsLaggingWhile(Ec2Port real, java.util.concurrent.atomic.AtomicBoolean lagging) {
    return lagging(real, filter -> lagging.get());
  }

  /**
   * An EC2 port whose look-ups (either filter) find nothing until this worker has called RunInstances once: the
   * earlier process's launch does not show yet, as an eventually consistent DescribeInstances may, and shows by the
   * time the worker resolves EC2's answer to its own call.
   */
  static Ec2Port lookupsLaggingUntilItLaunches(Ec2Port real) {
    java.util.concurrent.atomic.AtomicBoolean called = new java.util.concurrent.atomic.AtomicBoolean();
    return new ForwardingEc2Port(lagging(real, filter -> !called.get())) {
      @Override
      public Reservation runInstances(software.amazon.awssdk.services.ec2.model.RunInstancesRequest request) {
        called.set(true);
        return super.runInstances(request);
      }
    };
  }

  private static Ec2Port lagging(Ec2Port real, java.util.function.Predicate<Ec2Port.TokenFilter> findsNothing) {
    return new ForwardingEc2Port(real) {
      @Override
      public List<FoundInstance> findByToken(String token, TokenFilter filter) {
        return findsNothing.test(filter) ? List.of() : real.findByToken(token, filter);
      }

      @Override
      public List<FoundInstance> findByClientTokens(List<String> tokens) {
        return findsNothing.test(TokenFilter.CLIENT_TOKEN) ? List.of() : real.findByClientTokens(tokens);
      }
    };
  }

  static String request(String instanceType) {
    return "{\"imageId\":\"" + AMI + "\",\"instanceType\":\"" + instanceType + "\"}";
  }

  /** Sends a body and returns its message ID. */
  String send(String body) {
    return sqs().sendMessage(b -> b.queueUrl(sandbox.queueUrl()).messageBody(body)).messageId();
  }

  String send(String body, Map<String, MessageAttributeValue> attributes) {
    return sqs().sendMessage(b -> b.queueUrl(sandbox.queueUrl()).messageBody(body)
        .messageAttributes(attributes)).messageId();
  }

  List<String> sendMany(int count, java.util.function.IntFunction<String> body) {
    List<String> ids = new ArrayList<>();
    for (int from = 0; from < count; from += 10) {
      int start = from;
      int end = Math.min(count, from + 10);
      List<software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry> entries = new ArrayList<>();
      for (int i = start; i < end; i++) {
        entries.add(software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry.builder()
            .id(Integer.toString(i)).messageBody(body.apply(i)).build());
      }
      sqs().sendMessageBatch(b -> b.queueUrl(sandbox.queueUrl()).entries(entries)).successful()
          .forEach(ok -> ids.add(ok.messageId()));
    }
    return ids;
  }

  long depth(String queueUrl) {
    return sandbox.sqs().depth(queueUrl);
  }

  long visible(String queueUrl) {
    return Long.parseLong(sqs().getQueueAttributes(b -> b.queueUrl(queueUrl)
        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
        .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
  }

  /** Waits until the source queue is empty and no worker holds a message. */
  void awaitDrained(Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() ->
        depth(sandbox.queueUrl()) == 0 && workers.stream().allMatch(w -> w.worker().inFlight() == 0));
  }

  /** Reads every DLQ message (they stay invisible afterwards, which is fine at the end of a test). */
  List<Message> drainDlq() {
    return drain(sandbox.dlqUrl());
  }

  /** Reads every message of a queue, leaving them invisible. */
  List<Message> drain(String queueUrl) {
    List<Message> all = new ArrayList<>();
    while (true) {
      List<Message> batch = sqs().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
          .waitTimeSeconds(0).visibilityTimeout(60).messageAttributeNames("All")
          .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
      if (batch.isEmpty()) {
        return all;
      }
      all.addAll(batch);
    }
  }

  /** Instances grouped by their {@code launch-worker:token} tag. */
  Map<String, List<EmulatedInstance>> instancesByToken() {
    return ec2().instances().stream().collect(Collectors.groupingBy(
        i -> i.tags().getOrDefault("launch-worker:token", "(untagged)"), HashMap::new, Collectors.toList()));
  }

  /** Every instance's metadata options as DescribeInstances answers them through the SDK, by instance ID. */
  Map<String, software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsResponse> metadataOptions() {
    try (Ec2Client ec2 = ec2Client(1)) {
      return ec2.describeInstancesPaginator(b -> b.maxResults(1000)).reservations().stream()
          .flatMap(r -> r.instances().stream())
          .collect(Collectors.toMap(software.amazon.awssdk.services.ec2.model.Instance::instanceId,
              software.amazon.awssdk.services.ec2.model.Instance::metadataOptions));
    }
  }

  /**
   * Plays a worker that received a message, launched it with the message ID as token, and died before
   * deleting it: the message comes back after its (1 s) visibility timeout.
   */
  String launchThenCrash() {
    return sandbox.launchAndCrash(Duration.ofSeconds(1), LaunchPolicy.permissive(), LaunchDefaults.none())
        .messageId();
  }


  @Override
  public void close() {
    for (RunningWorker w : workers) {
      w.close();
    }
    sandbox.close();
  }

  /** A worker with its own clients and meters. */
  record RunningWorker(Worker worker, PrometheusMeterRegistry registry, SqsClient sqs, ReceiveClient receiver,
      Ec2Client ec2)
      implements AutoCloseable {

    /** The Prometheus text an operator's scraper would read. */
    String scrape() {
      return registry.scrape();
    }

    /** Outcome count for a kind (lower case, e.g. "launched"), optionally for one reason. */
    long outcomes(String kind, String reason) {
      return registry.find(WorkerMetrics.OUTCOMES).tag("outcome", kind).counters().stream()
          .filter(c -> reason == null || reason.equals(c.getId().getTag("reason")))
          .mapToLong(c -> (long) c.count()).sum();
    }

    long outcomes(String kind) {
      return outcomes(kind, null);
    }

    long counter(String name) {
      return registry.find(name).counters().stream().mapToLong(c -> (long) c.count()).sum();
    }

    List<Counter> outcomeCounters() {
      return List.copyOf(registry.find(WorkerMetrics.OUTCOMES).counters());
    }

    @Override
    public void close() {
      worker.shutdown();
      sqs.close();
      receiver.close();
      ec2.close();
    }
  }
}
