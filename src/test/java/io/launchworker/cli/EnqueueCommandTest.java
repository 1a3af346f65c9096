package io.launchworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.sandbox.EmbeddedSqs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** {@code launch-worker enqueue} against ElasticMQ, through the real SDK. */
class EnqueueCommandTest {
  private static final String AMI = "ami-0123456789abcdef0";
  /** The credential chain reads these system properties before the environment: no test depends on the machine. */
  private static final Map<String, String> AWS_PROPERTIES = Map.of(
      "aws.accessKeyId", EmbeddedSqs.CREDENTIALS.accessKeyId(),
      "aws.secretAccessKey", EmbeddedSqs.CREDENTIALS.secretAccessKey());
  private static final Map<String, String> savedProperties = new LinkedHashMap<>();
  private static EmbeddedSqs sqs;
  private static int queues;

  @TempDir
  Path dir;

  private String queueUrl;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  /** Pauses between tries, recorded instead of slept. */
  private final List<Duration> pauses = new ArrayList<>();

  @BeforeAll
  static void startSqs() {
    AWS_PROPERTIES.forEach((k, v) -> {
      savedProperties.put(k, System.getProperty(k));
      System.setProperty(k, v);
    });
    sqs = EmbeddedSqs.start();
  }

  @AfterAll
  static void stopSqs() {
    sqs.close();
    savedProperties.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
  }

  @BeforeEach
  void newQueue() {
    queueUrl = sqs.createQueue("enqueue-" + (++queues), Duration.ofSeconds(30));
  }

  /** The real command line, with the SDK's default client, credentials from the system properties above. */
  private int run(String... args) {
    return LaunchWorkerCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), withQueue(args));
  }

  /** The command line with {@code enqueue} given this stdin and SQS client. */
  private int runWith(String stdin, SqsClient client, boolean terminal, Map<String, String> env, String... args) {
    return runWith(stdin, client, terminal, env, () -> false, new PrintWriter(out, true), new PrintWriter(err, true),
        args);
  }

  /**
   * As above, Ctrl-C "pressed" once {@code ctrlC} says so, and the output to these writers (one shared writer
   * stands for a terminal that shows stdout and stderr together).
   */
  private int runWith(String stdin, SqsClient client, boolean terminal, Map<String, String> env,
      java.util.function.BooleanSupplier ctrlC, PrintWriter stdout, PrintWriter stderr, String... args) {
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        if (type == EnqueueCommand.class) {
          return type.cast(new EnqueueCommand(() -> new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
              env, terminal, (region, endpoint) -> client, pauses::add, () -> new StopRequest() {
                @Override
                public boolean requested() {
                  return ctrlC.getAsBoolean();
                }

                @Override
                public void close() {}
              }));
        }
        return CommandLine.defaultFactory().create(type);
      }
    };
    return LaunchWorkerCommand.execute(factory, stdout, stderr, args);
  }

  private String[] withQueue(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--queue-url", queueUrl, "--endpoint-url", sqs.endpoint().toString(),
        "--region", EmbeddedSqs.REGION.id()));
    return all.toArray(String[]::new);
  }

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static String request(String requestId) {
    return "{\"imageId\":\"" + AMI + "\",\"requestId\":\"" + requestId + "\"}";
  }

  /** Every message on the queue, by body. */
  private List<Message> received() {
    List<Message> all = new ArrayList<>();
    while (true) {
      List<Message> batch = sqs.client().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
          .waitTimeSeconds(0).visibilityTimeout(60)).messages();
      if (batch.isEmpty()) {
        return all;
      }
      all.addAll(batch);
    }
  }

  private Set<String> receivedRequestIds() {
    return received().stream().map(m -> json(m.body()).path("requestId").asText()).collect(Collectors.toSet());
  }

  private static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (IOException e) {
      throw new AssertionError(text, e);
    }
  }

  /** stdout: line, message ID, client token. */
  private List<String[]> printed() {
    return out.toString().lines().map(l -> l.split("\t", -1)).collect(Collectors.toList());
  }

  @Test
  void aFifoQueueNeedsAGroupAndGetsTokenBasedDeduplicationSoARerunAddsNothing() throws IOException {
    queueUrl = sqs.createQueue("enqueue-" + (++queues) + ".fifo", Map.of(
        software.amazon.awssdk.services.sqs.model.QueueAttributeName.FIFO_QUEUE, "true"));
    Path input = file("fifo.jsonl", request("a") + "\n" + request("b") + "\n");

    assertThat(run("enqueue", "--file", input.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--message-group-id");

    assertThat(run("enqueue", "--file", input.toString(), "--client-token-from", "requestId",
        "--message-group-id", "pool-1"))
        .isZero();
    assertThat(run("enqueue", "--file", input.toString(), "--client-token-from", "requestId",
        "--message-group-id", "pool-1"))
        .isZero();

    List<software.amazon.awssdk.services.sqs.model.Message> queued = sqs.client().receiveMessage(b -> b
        .queueUrl(queueUrl).maxNumberOfMessages(10).messageSystemAttributeNames(
            software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.MESSAGE_GROUP_ID)).messages();
    assertThat(queued).hasSize(2).allSatisfy(m -> assertThat(m.attributes().get(
        software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.MESSAGE_GROUP_ID)).isEqualTo("pool-1"));
  }

  @Test
  void aJsonLinesFileIsSentLineByLineAndEachLinePrintsItsNumberMessageIdAndToken() throws IOException {
    Path input = file("requests.jsonl", request("a") + "\n\n" + request("b") + "\n"
        + "{\"imageId\":\"" + AMI + "\",\"clientToken\":\"mine-1\"}\n");

    int code = run("enqueue", "--file", input.toString());

    assertThat(code).as(err.toString()).isZero();
    List<Message> messages = received();
    assertThat(messages).hasSize(3);
    List<String[]> lines = printed();
    assertThat(lines).extracting(l -> l[0]).containsExactly("1", "3", "4");
    assertThat(lines).allSatisfy(l -> assertThat(l).hasSize(3));
    assertThat(lines).extracting(l -> l[1])
        .containsExactlyInAnyOrderElementsOf(messages.stream().map(Message::messageId).collect(Collectors.toList()));
    assertThat(lines.get(0)[2]).as("no clientToken: the worker uses the message ID").isEqualTo(lines.get(0)[1]);
    assertThat(lines.get(2)[2]).isEqualTo("mine-1");
  }

  @Test
  void aJsonArrayFileSendsEachElementAsWrittenWithTheLineItStartsOn() throws IOException {
    Path input = file("requests.json", "[\n  " + request("a") + ",\n  {\n    \"imageId\": \"" + AMI
        + "\",\n    \"requestId\": \"b\"\n  }\n]\n");

    int code = run("enqueue", "--file", input.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(printed()).extracting(l -> l[0]).containsExactly("2", "3");
    assertThat(received()).extracting(Message::body)
        .containsExactlyInAnyOrder(request("a"), "{\n    \"imageId\": \"" + AMI + "\",\n    \"requestId\": \"b\"\n  }");
  }

  @Test
  void aFileWithOnePrettyPrintedObjectIsOneRequest() throws IOException {
    Path input = file("request.json", "\n{\n  \"imageId\": \"" + AMI + "\",\n  \"requestId\": \"solo\"\n}\n");

    int code = run("enqueue", "--file", input.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(printed()).extracting(l -> l[0]).containsExactly("2");
    assertThat(receivedRequestIds()).containsExactly("solo");
  }

  @Test
  void requestsPipedOnStdinAreSentWhenNoOtherSourceIsGivenAndWithFileDash() {
    try (SqsClient client = client()) {
      int piped = runWith(request("p1") + "\n" + request("p2") + "\n", client, false, Map.of(), withQueue("enqueue"));
      int dash = runWith("[" + request("d1") + "]", client, false, Map.of(), withQueue("enqueue", "--file", "-"));

      assertThat(piped).as(err.toString()).isZero();
      assertThat(dash).as(err.toString()).isZero();
    }
    assertThat(receivedRequestIds()).containsExactlyInAnyOrder("p1", "p2", "d1");
  }

  @Test
  void withNoInputOnATerminalItSaysWhatToGiveInsteadOfWaiting() {
    try (SqsClient client = client()) {
      int code = runWith("", client, true, Map.of(), withQueue("enqueue"));

      assertThat(code).isEqualTo(2);
    }
    assertThat(err.toString()).contains("no requests: give --file FILE, the request flags, or pipe JSON lines");
  }

  @Test
  void repeatedTypeAndSubnetFlagsListThemInOrderWithTheMarketAndRootVolume() {
    int code = run("enqueue", "--image-id", AMI, "--instance-type", "c7i.large", "--instance-type", "m7i.large",
        "--subnet-id", "subnet-0aaa1111", "--subnet-id", "subnet-0bbb2222", "--market", "spot-then-on-demand",
        "--spot-max-price", "0.05", "--root-volume-gib", "40");

    assertThat(code).as(err.toString()).isZero();
    assertThat(json(received().get(0).body())).isEqualTo(json("{\"imageId\":\"" + AMI + "\",\"instanceTypes\":"
        + "[\"c7i.large\",\"m7i.large\"],\"subnetIds\":[\"subnet-0aaa1111\",\"subnet-0bbb2222\"],"
        + "\"market\":\"spot-then-on-demand\",\"spotMaxPrice\":\"0.05\",\"rootVolume\":{\"sizeGiB\":40}}"));
  }

  @Test
  void aSpotPriceWithoutASpotMarketIsRefusedBeforeAnythingIsSent() {
    int code = run("enqueue", "--image-id", AMI, "--instance-type", "t3.micro", "--spot-max-price", "0.05");

    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("spotMaxPrice").contains("market");
    assertThat(received()).isEmpty();
  }

  @Test
  void theFlagsMakeOneRequestWithCountAsMinAndMaxAndRepeatableTags() {
    int code = run("enqueue", "--image-id", AMI, "--instance-type", "t3.micro", "--count", "3",
        "--tag", "team=ci", "--tag", "job=build=42", "--client-token", "flag-token-1");

    assertThat(code).as(err.toString()).isZero();
    List<Message> messages = received();
    assertThat(messages).hasSize(1);
    assertThat(json(messages.get(0).body())).isEqualTo(json("{\"imageId\":\"" + AMI + "\",\"instanceType\":"
        + "\"t3.micro\",\"minCount\":3,\"maxCount\":3,\"tags\":{\"team\":\"ci\",\"job\":\"build=42\"},"
        + "\"clientToken\":\"flag-token-1\"}"));
    assertThat(printed()).singleElement().satisfies(l -> assertThat(l).containsExactly("1",
        messages.get(0).messageId(), "flag-token-1"));
  }

  @Test
  void badLinesAreReportedWithNumberAndReasonAndNotSentWhileTheRestAreSent() throws IOException {
    Path input = file("mixed.jsonl", String.join("\n",
        request("ok-1"),
        "{\"imageID\":\"" + AMI + "\",\"requestId\":\"typo\"}",
        "not json at all",
        request("ok-2"),
        "{\"imageId\":\"" + AMI + "\",\"requestId\":\"dup\",\"requestId\":\"dup2\"}",
        "{\"imageId\":\"" + AMI + "\",\"requestId\":\"too-many\",\"maxCount\":11}") + "\n");

    int code = run("enqueue", "--file", input.toString());

    assertThat(code).isEqualTo(1);
    assertThat(receivedRequestIds()).containsExactlyInAnyOrder("ok-1", "ok-2");
    assertThat(printed()).extracting(l -> l[0]).containsExactly("1", "4");
    assertThat(err.toString())
        .contains("enqueue: line 2: unknown_field: imageID: unknown field (did you mean imageId?)")
        .contains("enqueue: line 3: malformed_json: ")
        .contains("enqueue: line 5: duplicate_field: requestId")
        .contains("enqueue: line 6: too_many_instances: maxCount: 11 instances; allowed: at most 10")
        .contains("enqueue: 2 sent, 4 bad, 0 failed, of 6 requests");
  }

  @Test
  void theConfiguredPolicyIsAppliedBeforeSending() throws IOException {
    Path conf = file("producer.conf", "launcher.policy.allowed-instance-types = [\"t3.*\"]\n");
    Path input = file("types.jsonl", "{\"imageId\":\"" + AMI + "\",\"instanceType\":\"t3.large\",\"requestId\":\"t3\"}\n"
        + "{\"imageId\":\"" + AMI + "\",\"instanceType\":\"p5.48xlarge\",\"requestId\":\"p5\"}\n");

    int code = run("enqueue", "--config", conf.toString(), "--file", input.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("line 2: instance_type_not_allowed");
    assertThat(receivedRequestIds()).containsExactly("t3");
  }

  @Test
  void theShapeCapIsAppliedBeforeSendingWithTheBuiltInDefaultOrTheConfiguredOne() throws IOException {
    String subnets = "\"subnetIds\":[\"subnet-0aaa1111\",\"subnet-0bbb2222\",\"subnet-0ccc3333\"]";
    Path input = file("shapes.jsonl", "{\"imageId\":\"" + AMI + "\",\"instanceTypes\":[\"c7i.large\","
        + "\"m7i.large\",\"c6i.large\",\"m6i.large\"]," + subnets + ",\"market\":\"spot-then-on-demand\","
        + "\"requestId\":\"wide\"}\n"
        + "{\"imageId\":\"" + AMI + "\",\"instanceTypes\":[\"c7i.large\",\"m7i.large\"]," + subnets
        + ",\"requestId\":\"narrow\"}\n");

    int code = run("enqueue", "--file", input.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("enqueue: line 1: too_many_shapes: instanceTypes, subnetIds, market: 24 launch "
        + "shapes").contains("allowed: at most 20 (launcher.policy.max-shapes)");
    assertThat(receivedRequestIds()).containsExactly("narrow");

    err.getBuffer().setLength(0);
    Path conf = file("producer.conf", "launcher.policy.max-shapes = 5\n");
    assertThat(run("enqueue", "--config", conf.toString(), "--file", input.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("line 1: too_many_shapes").contains("line 2: too_many_shapes: "
        + "instanceTypes, subnetIds, market: 6 launch shapes");
  }

  /** Issue 17, case 7, met by a producer: a proxy in front of SQS answers with its own page, no error code. */
  @Test
  void aProxysBadGatewayPageIsReportedWithItsStatusNotANullCode() throws IOException {
    com.sun.net.httpserver.HttpServer proxy = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    proxy.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] page = "<html>Bad Gateway</html>".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/html");
      exchange.sendResponseHeaders(502, page.length);
      exchange.getResponseBody().write(page);
      exchange.close();
    });
    proxy.start();
    try (SqsClient client = io.launchworker.config.AwsClients.sqs(java.util.Optional.of("us-east-1"),
        java.util.Optional.of(java.net.URI.create("http://127.0.0.1:" + proxy.getAddress().getPort())),
        StaticCredentialsProvider.create(software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKIDTEST",
            "secret")), 2)) {
      int code = runWith(request("behind-proxy") + "\n", client, false, Map.of(), withQueue("enqueue"));

      assertThat(code).isNotZero();
      assertThat(err.toString()).contains("line 1: not sent: call failed: HTTP 502: Service returned HTTP status code 502")
          .doesNotContain("call failed: null");
    } finally {
      proxy.stop(0);
    }
  }

  @Test
  void theConfiguredDefaultTagsCountTowardsEachRequestsTagBudget() throws IOException {
    Path conf = file("worker.conf", "launcher.defaults.tags { team = ci, owner = ops }\n");
    Path input = file("tags.jsonl", String.join("\n",
        withTags("fits", IntStream.range(0, 45).mapToObj(i -> "t" + i)),
        withTags("one-over", IntStream.range(0, 46).mapToObj(i -> "t" + i)),
        withTags("overrides-team", java.util.stream.Stream.concat(IntStream.range(0, 45).mapToObj(i -> "t" + i),
            java.util.stream.Stream.of("team")))) + "\n");

    int code = run("enqueue", "--config", conf.toString(), "--file", input.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("enqueue: line 2: too_many_tags: tags: 46 tags, and launcher.defaults.tags "
        + "adds 2 more (default keys the request does not set); allowed: at most 47 in all");
    assertThat(receivedRequestIds()).containsExactlyInAnyOrder("fits", "overrides-team");
  }

  private static String withTags(String requestId, java.util.stream.Stream<String> keys) {
    return "{\"imageId\":\"" + AMI + "\",\"requestId\":\"" + requestId + "\",\"tags\":{"
        + keys.map(k -> "\"" + k + "\":\"v\"").collect(Collectors.joining(",")) + "}}";
  }

  @Test
  void onAFifoQueueTheDeduplicationIdIsTheClientTokenElseADigestOfTheBody() throws IOException {
    queueUrl = sqs.createQueue("enqueue-" + (++queues) + ".fifo", Map.of(
        software.amazon.awssdk.services.sqs.model.QueueAttributeName.FIFO_QUEUE, "true"));
    String withToken = "{\"imageId\":\"" + AMI + "\",\"clientToken\":\"build-17\"}";
    // Over 64 characters: no token could be the body itself.
    String withoutToken = "{\"imageId\":\"" + AMI + "\",\"requestId\":\"a-request-id-long-enough-to-need-a-digest\"}";
    List<SendMessageBatchRequestEntry> sent = new ArrayList<>();
    try (SqsClient real = client()) {
      FaultySqs recording = new FaultySqs(real, entries -> {
        sent.addAll(entries);
        return Map.of();
      });
      int code = runWith(withToken + "\n" + withoutToken + "\n", recording, false, Map.of(),
          withQueue("enqueue", "--message-group-id", "pool-1"));

      assertThat(code).as(err.toString()).isZero();
    }

    assertThat(sent).extracting(SendMessageBatchRequestEntry::messageGroupId).containsOnly("pool-1");
    assertThat(sent).extracting(SendMessageBatchRequestEntry::messageDeduplicationId).containsExactly(
        "build-17", "sha256-" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
            sha256(withoutToken)));
  }

  private static byte[] sha256(String text) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aParseErrorNeverPrintsAValueFromTheBodyInJsonLinesOrArrays() throws IOException {
    Path lines = file("leaky.jsonl", "{\"imageId\":\"" + AMI + "\",\"userData\":hunter2secret}\n"
        + "{\"imageId\":\"" + AMI + "\", 'hunter2quoted': 1}\n");
    Path array = file("leaky.json", "[\n" + request("a") + ",\n{\"imageId\": hunter2array}\n]\n");

    int linesCode = run("enqueue", "--file", lines.toString());
    int arrayCode = run("enqueue", "--file", array.toString());

    assertThat(linesCode).isEqualTo(1);
    assertThat(arrayCode).isEqualTo(1);
    assertThat(err.toString()).contains("malformed_json", "not a valid JSON array", "line 2", "column")
        .doesNotContain("hunter2");
    assertThat(received()).isEmpty();
  }

  @Test
  void aBrokenJsonArraySendsNothingAndNamesTheLine() throws IOException {
    Path input = file("broken.json", "[\n" + request("a") + ",\n" + request("b") + "\n{\n]\n");

    int code = run("enqueue", "--file", input.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("enqueue: line 4: not a valid JSON array").contains("nothing sent");
    assertThat(received()).isEmpty();
  }

  @Test
  void theQueueUrlComesFromTheEnvironmentAndNoDeadLetterQueueIsNeeded() {
    try (SqsClient client = client()) {
      int code = runWith(request("env"), client, false, Map.of("LAUNCHER_QUEUE_URL", queueUrl), "enqueue");

      assertThat(code).as(err.toString()).isZero();
    }
    assertThat(receivedRequestIds()).containsExactly("env");
  }

  @Test
  void withoutAQueueItIsAUsageError() {
    try (SqsClient client = client()) {
      assertThat(runWith(request("x"), client, false, Map.of(), "enqueue")).isEqualTo(2);
    }
    assertThat(err.toString()).contains("no queue: give --queue-url");
  }

  @Test
  void requestsGoInBatchesOfAtMostTenEntries() throws IOException {
    Path input = file("many.jsonl", IntStream.rangeClosed(1, 25).mapToObj(i -> request("r" + i))
        .collect(Collectors.joining("\n")));
    try (SqsClient real = client()) {
      FaultySqs recording = new FaultySqs(real, entries -> Map.of());

      int code = runWith("", recording, false, Map.of(), withQueue("enqueue", "--file", input.toString()));

      assertThat(code).as(err.toString()).isZero();
      assertThat(recording.batchSizes).containsExactly(10, 10, 5);
    }
    assertThat(receivedRequestIds()).hasSize(25);
    assertThat(printed()).extracting(l -> l[0]).containsExactlyElementsOf(
        IntStream.rangeClosed(1, 25).mapToObj(Integer::toString).collect(Collectors.toList()));
  }

  @Test
  void entriesSqsFailsInAPartialBatchFailureAreRetriedAndSentOnce() throws IOException {
    Path input = file("five.jsonl", IntStream.rangeClosed(1, 5).mapToObj(i -> request("r" + i))
        .collect(Collectors.joining("\n")));
    try (SqsClient real = client()) {
      // SQS answers InternalError for lines 2 and 4 on the first call only.
      FaultySqs faulty = new FaultySqs(real, new FailFirstCall(Set.of("r2", "r4")));

      int code = runWith("", faulty, false, Map.of(), withQueue("enqueue", "--file", input.toString()));

      assertThat(code).as(err.toString()).isZero();
      assertThat(faulty.batchSizes).containsExactly(5, 2);
    }
    assertThat(received()).extracting(m -> json(m.body()).path("requestId").asText())
        .containsExactlyInAnyOrder("r1", "r2", "r3", "r4", "r5");
    assertThat(printed()).extracting(l -> l[0]).containsExactly("1", "2", "3", "4", "5");
  }

  @Test
  void anEntryThatKeepsFailingIsReportedAfterThreeTriesAndTheOthersAreSent() throws IOException {
    Path input = file("three.jsonl", request("r1") + "\n" + request("stuck") + "\n" + request("r3") + "\n");
    try (SqsClient real = client()) {
      FaultySqs faulty = new FaultySqs(real, new AlwaysFail("stuck", false));

      int code = runWith("", faulty, false, Map.of(), withQueue("enqueue", "--file", input.toString()));

      assertThat(code).isEqualTo(1);
      assertThat(faulty.batchSizes).containsExactly(3, 1, 1);
      assertThat(pauses).as("growing pauses between tries").containsExactly(Duration.ofMillis(200),
          Duration.ofMillis(400));
    }
    assertThat(receivedRequestIds()).containsExactlyInAnyOrder("r1", "r3");
    assertThat(err.toString()).contains("enqueue: line 2: not sent: InternalError: injected (after 3 tries)")
        .contains("enqueue: 2 sent, 0 bad, 1 failed, of 3 requests");
  }

  @Test
  void anEntryFailedByTheSendersFaultIsReportedWithoutRetrying() throws IOException {
    Path input = file("two.jsonl", request("bad-chars") + "\n" + request("fine") + "\n");
    try (SqsClient real = client()) {
      FaultySqs faulty = new FaultySqs(real, new AlwaysFail("bad-chars", true));

      int code = runWith("", faulty, false, Map.of(), withQueue("enqueue", "--file", input.toString()));

      assertThat(code).isEqualTo(1);
      assertThat(faulty.batchSizes).containsExactly(2);
    }
    assertThat(receivedRequestIds()).containsExactly("fine");
    assertThat(err.toString()).contains("enqueue: line 1: not sent: InvalidMessageContents: injected");
  }

  @Test
  void aBodyWithCharactersSqsRefusesIsABadLineAndTheRestAreSent() throws IOException {
    // U+FFFF passes the worker's rules (not a control character) but is outside SQS's allowed characters;
    // ElasticMQ fails the whole batch over it, so it must never reach a batch.
    Path input = file("refused.jsonl", request("before") + "\n"
        + "{\"imageId\":\"" + AMI + "\",\"requestId\":\"refused\",\"tags\":{\"k\":\"\uFFFF\"}}\n"
        + request("after") + "\n");

    int code = run("enqueue", "--file", input.toString());

    assertThat(code).isEqualTo(1);
    assertThat(receivedRequestIds()).as(err.toString()).containsExactlyInAnyOrder("before", "after");
    assertThat(err.toString()).contains("enqueue: line 2: sqs_invalid_character: the body has U+FFFF at index ")
        .contains("2 sent, 1 bad, 0 failed");
  }

  @Test
  void clientTokenFromSetsTheTokenFromAFieldAndDigestsValuesThatAreNotTokens() throws IOException {
    String longId = "x".repeat(65);
    Path input = file("jobs.jsonl", request("job-1") + "\n" + request(longId) + "\n"
        + "{\"imageId\":\"" + AMI + "\",\"tags\":{\"job\":\"tagged\"}}\n");

    int code = run("enqueue", "--file", input.toString(), "--client-token-from", "requestId");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("enqueue: line 3: client_token_field_missing: --client-token-from requestId");
    Map<String, String> tokenByRequestId = received().stream().map(m -> json(m.body())).collect(Collectors.toMap(
        b -> b.path("requestId").asText(), b -> b.path("clientToken").asText()));
    assertThat(tokenByRequestId).containsEntry("job-1", "job-1").hasSize(2);
    assertThat(tokenByRequestId.get(longId)).startsWith("sha256-").hasSize(50)
        .isEqualTo(ClientTokenField.token(longId));
    assertThat(printed()).extracting(l -> l[2]).containsExactly("job-1", tokenByRequestId.get(longId));
  }

  @Test
  void clientTokenFromReadsATag() {
    int code = run("enqueue", "--image-id", AMI, "--tag", "job=nightly-7", "--client-token-from", "tags.job");

    assertThat(code).as(err.toString()).isZero();
    assertThat(received()).singleElement().extracting(m -> json(m.body()).path("clientToken").asText())
        .isEqualTo("nightly-7");
  }

  @Test
  void theProgressBarIsDrawnOnlyOnATerminalForMoreThan100Requests() {
    StringWriter bar = new StringWriter();
    Progress shown = Progress.choose(true, 101, new PrintWriter(bar, true));
    shown.advance(10);
    shown.advance(91);
    shown.finish();

    assertThat(bar.toString()).contains("\r[##" + " ".repeat(28) + "] 10/101")
        .contains("\r[" + "#".repeat(30) + "] 101/101").endsWith(System.lineSeparator());
    assertThat(Progress.choose(true, 100, new PrintWriter(bar))).isNotInstanceOf(Progress.Bar.class);
    assertThat(Progress.choose(false, 5000, new PrintWriter(bar))).isNotInstanceOf(Progress.Bar.class);
  }

  @Test
  void ctrlCStopsAfterTheCallInProgressSaysWhichLinesWereSentAndExits130() throws IOException {
    Path input = file("many.jsonl", IntStream.rangeClosed(1, 35).mapToObj(i -> request("r" + i))
        .collect(Collectors.joining("\n")));
    try (SqsClient real = client()) {
      FaultySqs recording = new FaultySqs(real, entries -> Map.of());

      // Ctrl-C during the second call: that call completes, the third is never made.
      int code = runWith("", recording, false, Map.of(), () -> recording.batchSizes.size() >= 2,
          new PrintWriter(out, true), new PrintWriter(err, true), withQueue("enqueue", "--file", input.toString()));

      assertThat(code).as(err.toString()).isEqualTo(130);
      assertThat(recording.batchSizes).containsExactly(10, 10);
    }
    assertThat(receivedRequestIds()).hasSize(20);
    assertThat(printed()).extracting(l -> l[0]).containsExactlyElementsOf(
        IntStream.rangeClosed(1, 20).mapToObj(Integer::toString).collect(Collectors.toList()));
    assertThat(err.toString().lines()).containsExactly(
        "enqueue: interrupted: lines sent: 1-20; not sent: 21-35 (send those again; with client tokens a rerun of "
            + "all is harmless too)",
        "enqueue: 20 sent, 0 bad, 0 failed, 15 not sent (interrupted), of 35 requests");
  }

  @Test
  void onATerminalTheProgressBarNeverSharesALineWithWhatIsPrinted() throws IOException {
    Path input = file("many.jsonl", IntStream.rangeClosed(1, 150).mapToObj(i -> request("r" + i))
        .collect(Collectors.joining("\n")));
    StringWriter terminal = new StringWriter();
    try (SqsClient real = client()) {
      FaultySqs faulty = new FaultySqs(real, new AlwaysFail("r77", true));

      int code = runWith("", faulty, true, Map.of(), () -> false, new PrintWriter(terminal, true),
          new PrintWriter(terminal, true), withQueue("enqueue", "--file", input.toString()));

      assertThat(code).isEqualTo(1);
    }
    List<String> screen = TerminalScreen.render(terminal.toString());
    java.util.regex.Pattern sentLine = java.util.regex.Pattern.compile("\\d+\t[0-9a-f-]{36}\t[0-9a-f-]{36}");
    java.util.regex.Pattern barLine = java.util.regex.Pattern.compile("\\[[# ]{30}] \\d+/150");
    assertThat(screen).first().isEqualTo(EnqueueCommand.HEADER);
    assertThat(screen.subList(1, screen.size())).as(terminal.toString()).allSatisfy(line -> assertThat(
        sentLine.matcher(line).matches() || barLine.matcher(line).matches() || line.startsWith("enqueue: "))
        .as(line).isTrue());
    assertThat(screen).filteredOn(l -> sentLine.matcher(l).matches()).hasSize(149);
    assertThat(screen).contains("enqueue: line 77: not sent: InvalidMessageContents: injected",
        "[" + "#".repeat(30) + "] 150/150", "enqueue: 149 sent, 0 bad, 1 failed, of 150 requests");
  }

  @Test
  void anEndpointThatDoesNotAnswerIsOneLineNamingTheFlagAndNothingIsReportedAsSent() throws IOException {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + closedPort;

    int code = LaunchWorkerCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "enqueue",
        "--image-id", AMI, "--queue-url", endpoint + "/000000000000/q", "--endpoint-url", endpoint,
        "--region", EmbeddedSqs.REGION.id());

    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines()).containsExactly("launch-worker enqueue: cannot reach SQS at " + endpoint
        + " (from --endpoint-url): connection refused; check --endpoint-url");
  }

  private static SqsClient client() {
    return SqsClient.builder().endpointOverride(sqs.endpoint()).region(EmbeddedSqs.REGION)
        .credentialsProvider(StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS))
        .httpClient(Apache5HttpClient.builder().build()).build();
  }

  /** Decides, per call, which entries SQS reports as failed instead of sending them. */
  interface Faults {
    /** Entries to fail, each with senderFault; the rest go to the real queue. */
    Map<SendMessageBatchRequestEntry, Boolean> fail(List<SendMessageBatchRequestEntry> entries);
  }

  /** An SQS client that sends through a real one, failing entries as told, and records batch sizes. */
  static final class FaultySqs implements SqsClient {
    private final SqsClient real;
    private final Faults faults;
    final List<Integer> batchSizes = new ArrayList<>();

    FaultySqs(SqsClient real, Faults faults) {
      this.real = real;
      this.faults = faults;
    }

    @Override
    public SendMessageBatchResponse sendMessageBatch(SendMessageBatchRequest request) {
      batchSizes.add(request.entries().size());
      Map<SendMessageBatchRequestEntry, Boolean> failing = faults.fail(request.entries());
      List<SendMessageBatchRequestEntry> passing = request.entries().stream()
          .filter(e -> !failing.containsKey(e)).collect(Collectors.toList());
      SendMessageBatchResponse.Builder response = SendMessageBatchResponse.builder();
      List<BatchResultErrorEntry> failed = failing.entrySet().stream().map(f -> BatchResultErrorEntry.builder()
          .id(f.getKey().id()).senderFault(f.getValue())
          .code(f.getValue() ? "InvalidMessageContents" : "InternalError").message("injected").build())
          .collect(Collectors.toList());
      if (passing.isEmpty()) {
        return response.successful(List.of()).failed(failed).build();
      }
      SendMessageBatchResponse sent = real.sendMessageBatch(request.toBuilder().entries(passing).build());
      List<BatchResultErrorEntry> allFailed = new ArrayList<>(sent.failed());
      allFailed.addAll(failed);
      return response.successful(sent.successful()).failed(allFailed).build();
    }

    @Override
    public String serviceName() {
      return SqsClient.SERVICE_NAME;
    }

    @Override
    public void close() {}
  }

  /** Fails the entries with these request IDs on the first call that carries them, with senderFault false. */
  static final class FailFirstCall implements Faults {
    private final Set<String> requestIds;
    private final java.util.HashSet<String> failedOnce = new java.util.HashSet<>();

    FailFirstCall(Set<String> requestIds) {
      this.requestIds = requestIds;
    }

    @Override
    public Map<SendMessageBatchRequestEntry, Boolean> fail(List<SendMessageBatchRequestEntry> entries) {
      Map<SendMessageBatchRequestEntry, Boolean> fail = new LinkedHashMap<>();
      for (SendMessageBatchRequestEntry e : entries) {
        String id = json(e.messageBody()).path("requestId").asText();
        if (requestIds.contains(id) && failedOnce.add(id)) {
          fail.put(e, false);
        }
      }
      return fail;
    }
  }

  /** Fails every entry with this request ID. */
  record AlwaysFail(String requestId, boolean senderFault) implements Faults {
    @Override
    public Map<SendMessageBatchRequestEntry, Boolean> fail(List<SendMessageBatchRequestEntry> entries) {
      return entries.stream().filter(e -> json(e.messageBody()).path("requestId").asText().equals(requestId))
          .collect(Collectors.toMap(e -> e, e -> senderFault));
    }
  }

  @Test
  void onATerminalAHeaderNamesTheColumnsAndAScriptGetsTheBareLines() {
    StringWriter screen = new StringWriter();
    try (SqsClient client = client()) {
      assertThat(runWith("", client, true, Map.of(), () -> false, new PrintWriter(screen, true),
          new PrintWriter(err, true), withQueue("enqueue", "--image-id", AMI, "--instance-type", "t3.micro")))
          .isZero();
      assertThat(runWith("", client, false, Map.of(), withQueue("enqueue", "--image-id", AMI, "--instance-type",
          "t3.micro"))).isZero();
    }

    assertThat(screen.toString().lines().toList()).hasSize(2).first().isEqualTo("line\tmessage ID\tclient token");
    assertThat(out.toString().lines().toList()).singleElement().asString().matches("1\t[0-9a-f-]{36}\t[0-9a-f-]{36}");
  }

  @Test
  void theSandboxesEnqueueLineRefusesARequestTheSandboxWouldRejectBeforeSendingIt() {
    Map<String, Object> sandbox = new LinkedHashMap<>(SandboxCommand.policy());
    sandbox.put("launcher.queue-url", queueUrl);
    sandbox.put("launcher.dlq-url", queueUrl);
    sandbox.put("launcher.aws.region", EmbeddedSqs.REGION.id());
    sandbox.put("launcher.token-key", "none");
    io.launchworker.config.WorkerConfig settings = io.launchworker.config.ConfigLoader.load(
        java.util.Optional.empty(), Map.of(), sandbox);
    // The VAR=value words the sandbox prints before "enqueue", as a shell reads them.
    Map<String, String> env = new LinkedHashMap<>();
    for (String word : SandboxInstructions.policyEnvironment(settings).split(" ")) {
      String[] kv = word.split("=", 2);
      env.put(kv[0], kv[1].replaceAll("^'|'$", ""));
    }

    try (SqsClient client = client()) {
      int rejected = runWith("", client, false, env, withQueue("enqueue", "--image-id", AMI, "--instance-type",
          "m5.large"));
      assertThat(rejected).isEqualTo(1);
      assertThat(err.toString()).contains("enqueue: line 1: ").contains("m5.large").contains("; not sent")
          .contains("enqueue: 0 sent, 1 bad");
      assertThat(client.receiveMessage(b -> b.queueUrl(queueUrl)).messages()).isEmpty();

      assertThat(runWith("", client, false, env, withQueue("enqueue", "--image-id", AMI, "--instance-type",
          "t4g.small"))).isZero();
    }
  }
}
