package io.launchworker.it;

import io.launchworker.testing.LocalProcesses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.launchworker.request.LaunchTags;
import io.launchworker.message.MessageAttributes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service jar against a third-party AWS: moto_server serves SQS and EC2, the AWS CLI is the producer and the
 * operator, and {@code run} is a real process that is SIGKILLed once mid-run and started again. moto ignores
 * {@code ClientToken} (one token, two RunInstances, two instances), so here the worker's look-up of its own tag on
 * redelivery is all that keeps each request to one instance. Skips where {@code moto_server} or {@code aws} is not
 * on PATH.
 */
class MotoIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AMI = "ami-0123456789abcdef0";
  /** Requests per send-message-batch call, as SQS allows at most. */
  private static final int BATCH = 10;
  private static final int BATCHES = 3;
  /**
   * The kill comes once this many launches are logged: past the first full delete batch (10), and long before the
   * first worker's periodic delete flush (10 s, below), so at least two launched messages are still on the queue
   * and come back to the second worker.
   */
  private static final int LAUNCHED_BEFORE_KILL = 12;
  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final Pattern FALLBACK = Pattern.compile("failed DescribeInstances with the launch-time filter");

  @TempDir
  Path workDir;

  @BeforeEach
  void needsMotoAndTheAwsCli() {
    assumeTrue(LocalProcesses.onPath("moto_server").isPresent(), "moto_server is not on PATH: skipping the third-party AWS test "
        + "(pip install 'moto[server]' to run it)");
    assumeTrue(LocalProcesses.onPath("aws").isPresent(), "the AWS CLI (aws) is not on PATH: skipping the third-party AWS test "
        + "(pip install awscli to run it)");
  }

  @Test
  void eachRequestLaunchesOneInstanceThroughASigkillAndTheInvalidOnesReachTheDlqWithTheirReasons()
      throws Exception {
    long start = System.nanoTime();
    try (MotoServer moto = MotoServer.start(workDir)) {
      AwsCli aws = new AwsCli(moto.endpoint(), workDir);
      String queue = aws.run("sqs", "create-queue", "--queue-name", "launch-requests").path("QueueUrl").asText();
      String dlq = aws.run("sqs", "create-queue", "--queue-name", "launch-requests-dlq").path("QueueUrl").asText();
      Sent sent = send(aws, queue);

      Map<String, String> env = new HashMap<>(aws.environment());
      env.putAll(Map.of("LAUNCHER_QUEUE_URL", queue, "LAUNCHER_DLQ_URL", dlq,
          "AWS_ENDPOINT_URL", moto.endpoint().toString(), "LAUNCHER_ADMIN_PORT", "-1",
          // moto's reads show a launch at once: a short window.
          "LAUNCHER_CONSISTENCY_WINDOW", "1s"));
      // The first worker holds its deletes (at most 10 s, the longest allowed) so the kill finds launched messages
      // still on the queue, as a crash between RunInstances and DeleteMessage would.
      int launchedBeforeKill;
      try (WorkerProcess first = startWorker(env, "launcher.sqs.delete-flush-interval = 10s\n")) {
        await("first worker's launches").atMost(WAIT).pollInterval(Duration.ofMillis(50))
            .until(() -> count(first, "LAUNCHED") >= LAUNCHED_BEFORE_KILL || !first.isAlive());
        assertThat(first.isAlive()).as(first.tail(40)).isTrue();
        first.kill();
        launchedBeforeKill = count(first, "LAUNCHED");
      }
      int leftAtKill = depth(aws, queue);
      assertThat(leftAtKill).as("messages on the queue after the kill: the kill came mid-run").isPositive();

      WorkerProcess second = startWorker(env, "");
      int launchedAfter;
      int foundByTag;
      boolean capFellBack;
      try (second) {
        await("the queue drained by the second worker").atMost(WAIT).pollInterval(Duration.ofSeconds(1))
            .until(() -> !second.isAlive() || depth(aws, queue) == 0);
        assertThat(second.terminate(30)).as(second.tail(40)).isZero();
        launchedAfter = count(second, "LAUNCHED");
        foundByTag = count(second, "ALREADY_LAUNCHED");
        capFellBack = FALLBACK.matcher(second.output()).find();
      }

      Map<String, Integer> perToken = instancesPerToken(aws);
      Map<String, String> deadLetters = deadLetters(aws, dlq);
      Map<Integer, Long> tokensByInstanceCount = perToken.values().stream()
          .collect(Collectors.groupingBy(n -> n, TreeMap::new, Collectors.counting()));
      System.out.printf("MotoIT: %d requests (%d valid, %d invalid); SIGKILL after %d launches, %d messages left; "
              + "second worker: %d launched, %d found by tag; tokens by instance count %s; DLQ reasons %s; "
              + "hourly cap counted without the launch-time filter: %s; %d s%n",
          sent.tokens().size() + sent.rejections().size(), sent.tokens().size(), sent.rejections().size(),
          launchedBeforeKill, leftAtKill, launchedAfter, foundByTag, tokensByInstanceCount,
          new TreeMap<>(deadLetters).values(), capFellBack, Duration.ofNanos(System.nanoTime() - start).toSeconds());

      assertThat(perToken).as("instances by their launch-worker:token tag")
          .containsOnlyKeys(sent.tokens()).allSatisfy((token, instances) -> assertThat(instances).isOne());
      assertThat(foundByTag).as("launched before the kill, deleted only after it: found by tag, not launched again")
          .isPositive();
      assertThat(deadLetters).isEqualTo(sent.rejections());
      assertThat(depth(aws, queue)).isZero();
    }
  }

  /** The requests and what must become of them. */
  private record Sent(List<String> tokens, Map<String, String> rejections) {}

  /**
   * Three send-message-batch calls of ten, each with one request the worker must refuse, then one send-message.
   * Every other valid request names its own clientToken; the rest are known by their message ID.
   */
  private static Sent send(AwsCli aws, String queue) throws Exception {
    List<String> tokens = new ArrayList<>();
    Map<String, String> rejections = new LinkedHashMap<>();
    Map<Integer, String[]> invalid = Map.of(
        4, new String[] {"{\"imageId\": \"" + AMI + "\", \"instanceType\": \"t3.micro\", \"tags\": {",
            "malformed_json"},
        13, new String[] {"{\"imageId\":\"" + AMI + "\",\"instanceType\":\"t3.micro\",\"instanceCount\":2}",
            "unknown_field"},
        27, new String[] {valid(27, false).replace("t3.micro", "p5.48xlarge"), "instance_type_not_allowed"});
    for (int b = 0; b < BATCHES; b++) {
      ArrayNode entries = JSON.createArrayNode();
      for (int i = b * BATCH; i < (b + 1) * BATCH; i++) {
        String body = invalid.containsKey(i) ? invalid.get(i)[0] : valid(i, i % 2 == 0);
        entries.addObject().put("Id", "r" + i).put("MessageBody", body);
      }
      JsonNode answer = aws.run("sqs", "send-message-batch", "--queue-url", queue, "--entries",
          JSON.writeValueAsString(entries));
      assertThat(answer.path("Failed")).as(answer.toString()).isEmpty();
      for (JsonNode ok : answer.path("Successful")) {
        int i = Integer.parseInt(ok.path("Id").asText().substring(1));
        String messageId = ok.path("MessageId").asText();
        if (invalid.containsKey(i)) {
          rejections.put(messageId, invalid.get(i)[1]);
        } else {
          tokens.add(i % 2 == 0 ? launchedUnder(token(i)) : messageId);
        }
      }
    }
    int last = BATCHES * BATCH;
    aws.run("sqs", "send-message", "--queue-url", queue, "--message-body", valid(last, true));
    tokens.add(launchedUnder(token(last)));
    return new Sent(tokens, rejections);
  }

  /** moto's SenderId: one fixed value for every sender. */
  private static final String MOTO_SENDER_ID = "AIDAIT2UOQQY3AUEKVGXU";

  /** The token tag of a request with this clientToken: scoped by the sender, as the worker does. */
  private static String launchedUnder(String clientToken) {
    return io.launchworker.launch.Token.scoped(java.util.Optional.of(MOTO_SENDER_ID), clientToken);
  }

  private static String valid(int i, boolean withToken) {
    return "{\"imageId\":\"" + AMI + "\",\"instanceType\":\"t3.micro\",\"tags\":{\"moto-it\":\"" + i + "\"}"
        + (withToken ? ",\"clientToken\":\"" + token(i) + "\"" : "") + "}";
  }

  private static String token(int i) {
    return "moto-it-" + i;
  }

  private WorkerProcess startWorker(Map<String, String> env, String extraConfig) throws Exception {
    Path config = Files.createTempFile(workDir, "worker", ".conf");
    Files.writeString(config, """
        launcher.sqs.wait-time = 1s
        launcher.sqs.visibility-timeout = 5s
        launcher.shutdown.grace = 5s
        launcher.ec2.run-instances-per-second = 4.0
        launcher.policy.allowed-instance-types = ["t3.*"]
        launcher.policy.allowed-image-ids = ["*"]
        launcher.policy.allowed-subnet-ids = ["*"]
        launcher.policy.allowed-security-group-ids = ["*"]
        launcher.token-key = none
        """ + extraConfig);
    return WorkerProcess.start(WorkerProcess.SERVICE_JAR, workDir, env, "run", "--config", config.toString());
  }

  /** Outcome lines of one kind in a worker's JSON log. */
  private static int count(WorkerProcess worker, String outcome) {
    String field = "\"outcome\":\"" + outcome + "\"";
    return (int) worker.output().lines().filter(l -> l.contains(field)).count();
  }

  /** Messages on the queue, visible or in flight. */
  private static int depth(AwsCli aws, String queue) throws Exception {
    JsonNode attributes = aws.run("sqs", "get-queue-attributes", "--queue-url", queue, "--attribute-names",
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible").path("Attributes");
    return attributes.path("ApproximateNumberOfMessages").asInt() + attributes
        .path("ApproximateNumberOfMessagesNotVisible").asInt();
  }

  /** Instances carrying the worker's token tag, counted by its value. */
  private static Map<String, Integer> instancesPerToken(AwsCli aws) throws Exception {
    JsonNode answer = aws.run("ec2", "describe-instances", "--filters", "Name=tag-key,Values=" + LaunchTags.TOKEN);
    Map<String, Integer> perToken = new HashMap<>();
    for (JsonNode reservation : answer.path("Reservations")) {
      for (JsonNode instance : reservation.path("Instances")) {
        for (JsonNode tag : instance.path("Tags")) {
          if (LaunchTags.TOKEN.equals(tag.path("Key").asText())) {
            perToken.merge(tag.path("Value").asText(), 1, Integer::sum);
          }
        }
      }
    }
    return perToken;
  }

  /** Every DLQ message, hidden for an hour once read: original message ID to the reason the worker wrote. */
  private static Map<String, String> deadLetters(AwsCli aws, String dlq) throws Exception {
    Map<String, String> reasons = new HashMap<>();
    while (true) {
      JsonNode messages = aws.run("sqs", "receive-message", "--queue-url", dlq, "--max-number-of-messages", "10",
          "--wait-time-seconds", "1", "--visibility-timeout", "3600", "--message-attribute-names", "All")
          .path("Messages");
      if (messages.isEmpty()) {
        return reasons;
      }
      for (JsonNode m : messages) {
        JsonNode attributes = m.path("MessageAttributes");
        reasons.merge(attributes.path(MessageAttributes.ORIGINAL_MESSAGE_ID).path("StringValue").asText(),
            attributes.path(MessageAttributes.REASON).path("StringValue").asText(), (a, b) -> a + "|" + b);
      }
    }
  }

}
