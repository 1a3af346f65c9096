package io.launchworker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.launchworker.config.AwsClients;
import io.launchworker.config.ConfigLoader;
import io.launchworker.config.WorkerConfig;
import io.launchworker.launch.Ec2Budget;
import io.launchworker.launch.Ec2CallObserver;
import io.launchworker.launch.Token;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.poll.Worker;
import io.launchworker.poll.WorkerAssembly;
import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.ReadResult;
import io.launchworker.request.RequestReader;
import io.launchworker.request.RunInstancesMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The end-to-end path against LocalStack's SQS and EC2 (the image docker/compose.yaml pins): the worker, built
 * from the project's classes with its production SDK clients, launches exactly one instance per request, and a
 * redelivery after a crash launches nothing new although LocalStack ignores {@code ClientToken}. Needs a Docker
 * engine; where there is none (our build machines) the class is reported as skipped.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackExactlyOnceIT {
  private static final String TOKEN_TAG = "launch-worker:token";
  /** What the request schema accepts as an image ID; LocalStack's catalogue has IDs of other shapes too. */
  private static final Pattern IMAGE_ID = Pattern.compile("ami-([0-9a-f]{8}|[0-9a-f]{17})");

  private static LocalStackContainer localstack;
  private static SqsClient sqs;
  private static Ec2Client ec2;
  private static String imageId;

  private String queueUrl;
  private String dlqUrl;
  private final List<Worker> workers = new ArrayList<>();
  private final List<AwsClients> clients = new ArrayList<>();

  @BeforeAll
  static void startLocalStack() throws IOException {
    localstack = new LocalStackContainer(DockerImageName.parse(composeLocalStackImage()))
        .withServices(LocalStackContainer.Service.SQS, LocalStackContainer.Service.EC2);
    localstack.start();
    StaticCredentialsProvider credentials = credentials();
    sqs = SqsClient.builder().endpointOverride(localstack.getEndpoint()).region(Region.of(localstack.getRegion()))
        .credentialsProvider(credentials).build();
    ec2 = Ec2Client.builder().endpointOverride(localstack.getEndpoint()).region(Region.of(localstack.getRegion()))
        .credentialsProvider(credentials).build();
    imageId = ec2.describeImages().images().stream().map(i -> i.imageId())
        .filter(id -> IMAGE_ID.matcher(id).matches()).findFirst()
        .orElseThrow(() -> new AssertionError("LocalStack lists no image ID of the form " + IMAGE_ID));
  }

  @AfterAll
  static void stopLocalStack() {
    if (sqs != null) {
      sqs.close();
      ec2.close();
    }
    if (localstack != null) {
      localstack.stop();
    }
  }

  /** A fresh queue pair per test, set up as docker/localstack/create-queues.sh does it. */
  @BeforeEach
  void createQueues() {
    String name = "launch-" + UUID.randomUUID().toString().substring(0, 8);
    dlqUrl = sqs.createQueue(b -> b.queueName(name + "-dlq")).queueUrl();
    String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes().get(QueueAttributeName.QUEUE_ARN);
    queueUrl = sqs.createQueue(b -> b.queueName(name).attributes(Map.of(
        QueueAttributeName.VISIBILITY_TIMEOUT, "60",
        QueueAttributeName.REDRIVE_POLICY,
        "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"15\"}"))).queueUrl();
  }

  @AfterEach
  void stopWorkers() {
    workers.forEach(Worker::shutdown);
    clients.forEach(AwsClients::close);
  }

  @Test
  void everyRequestBecomesExactlyOneTaggedInstance() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(send(request("req-" + i)));
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Worker worker = startWorker(meters);

    awaitDrained(worker);

    Map<String, List<Instance>> byToken = instancesByToken(ids);
    assertThat(byToken).containsOnlyKeys(ids).allSatisfy((token, instances) -> assertThat(instances).hasSize(1));
    assertThat(outcomes(meters, "launched")).isEqualTo(20);
    assertThat(depth(dlqUrl)).isZero();
  }

  @Test
  void redeliveryAfterACrashLaunchesNothingNewAlthoughLocalStackIgnoresClientToken() {
    String id = send(request("crash"));
    launchThenCrash();
    assertThat(instancesByToken(List.of(id)).get(id)).hasSize(1);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Worker worker = startWorker(meters);

    awaitDrained(worker);

    assertThat(instancesByToken(List.of(id)).get(id)).hasSize(1);
    assertThat(outcomes(meters, "already_launched")).isEqualTo(1);
    assertThat(outcomes(meters, "launched")).isZero();
  }

  /** A first worker that received the message, launched for it with its token and tags, and died. */
  private void launchThenCrash() {
    Message m = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1).waitTimeSeconds(5)
        .visibilityTimeout(1)).messages().get(0);
    var request = ((ReadResult.Accepted) new RequestReader(LaunchPolicy.permissive()).read(m.body())).request();
    ec2.runInstances(new RunInstancesMapper(LaunchDefaults.none()).map(request, Token.fromMessageId(m.messageId()),
        m.messageId()));
  }

  private Worker startWorker(SimpleMeterRegistry meters) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("launcher.queue-url", queueUrl);
    o.put("launcher.dlq-url", dlqUrl);
    o.put("launcher.aws.region", localstack.getRegion());
    o.put("launcher.aws.sqs-endpoint", localstack.getEndpoint().toString());
    o.put("launcher.aws.ec2-endpoint", localstack.getEndpoint().toString());
    o.put("launcher.admin.port", -1);
    o.put("launcher.sqs.wait-time", "1s");
    o.put("launcher.shutdown.grace", "10s");
    // LocalStack's own AMI, in its default VPC: every list but the type open, written out (empty allows nothing).
    for (String list : List.of("image-ids", "subnet-ids", "security-group-ids")) {
      o.put("launcher.policy.allowed-" + list, List.of("*"));
    }
    o.put("launcher.policy.allowed-instance-types", List.of("t3.*"));
    WorkerConfig config = ConfigLoader.load(Optional.empty(), Map.of(), o);
    Ec2Budget budget = Ec2Budget.of(config.ec2());
    AwsClients aws = AwsClients.create(config, credentials(), List.of(new Ec2CallObserver(budget)));
    clients.add(aws);
    WorkerMetrics metrics = new WorkerMetrics(meters);
    Worker worker = WorkerAssembly.forConfig(config).clients(aws).budget(budget).metrics(metrics)
        .random(new SplittableRandom(7)).build();
    worker.start();
    workers.add(worker);
    return worker;
  }

  private String request(String requestId) {
    return "{\"imageId\":\"" + imageId + "\",\"instanceType\":\"t3.micro\",\"requestId\":\"" + requestId + "\"}";
  }

  private String send(String body) {
    return sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body)).messageId();
  }

  private void awaitDrained(Worker worker) {
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> depth(queueUrl) == 0 && worker.inFlight() == 0);
  }

  /** Messages waiting plus in flight. */
  private static long depth(String url) {
    Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
        .attributes();
    return Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
        + Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }

  /** This test's instances (by their token tag), whatever earlier tests left in LocalStack. */
  private static Map<String, List<Instance>> instancesByToken(List<String> tokens) {
    List<Instance> all = new ArrayList<>();
    ec2.describeInstancesPaginator(b -> b.filters(Filter.builder().name("tag-key").values(TOKEN_TAG).build()))
        .reservations().forEach(r -> all.addAll(r.instances()));
    return all.stream().filter(i -> tokens.contains(tokenOf(i)))
        .collect(Collectors.groupingBy(LocalStackExactlyOnceIT::tokenOf));
  }

  private static String tokenOf(Instance instance) {
    return instance.tags().stream().filter(t -> TOKEN_TAG.equals(t.key())).map(Tag::value).findFirst().orElse("");
  }

  private static long outcomes(SimpleMeterRegistry meters, String kind) {
    return meters.find(WorkerMetrics.OUTCOMES).tag("outcome", kind).counters().stream()
        .mapToLong(c -> (long) c.count()).sum();
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(localstack.getAccessKey(),
        localstack.getSecretKey()));
  }

  /** The LocalStack image of docker/compose.yaml, so the test and the laptop stack run the same one. */
  private static String composeLocalStackImage() throws IOException {
    return new YAMLMapper().readTree(Paths.get("docker", "compose.yaml").toFile())
        .path("services").path("localstack").path("image").asText();
  }
}
