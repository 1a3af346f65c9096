package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.launchworker.config.ConfigLoader;
import io.launchworker.config.WorkerConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Choosing CloudWatch by configuration really publishes, through the SDK, to whatever endpoint is configured. */
class CloudWatchPublishingTest {
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private HttpServer fakeCloudWatch;

  /** One request; the (unzipped) body as Latin-1 so the CBOR's UTF-8 strings can be searched. */
  private record Recorded(String path, Map<String, List<String>> headers, String body) {
    @Override
    public String toString() {
      return path + " (" + body.length() + " bytes)";
    }
  }

  @BeforeEach
  void startFakeCloudWatch() throws IOException {
    fakeCloudWatch = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    fakeCloudWatch.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
        body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
      }
      requests.add(new Recorded(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()),
          new String(body, StandardCharsets.ISO_8859_1)));
      byte[] answer = FakeCloudWatchAnswers.putMetricDataOk(exchange.getRequestHeaders());
      exchange.getResponseHeaders().add("Content-Type", FakeCloudWatchAnswers.contentType(exchange.getRequestHeaders()));
      exchange.getResponseHeaders().add("x-amzn-RequestId", "test-request");
      FakeCloudWatchAnswers.protocolHeader(exchange.getRequestHeaders())
          .ifPresent(h -> exchange.getResponseHeaders().add("smithy-protocol", h));
      exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    fakeCloudWatch.start();
  }

  @AfterEach
  void stop() {
    fakeCloudWatch.stop(0);
  }

  private WorkerConfig config(String registry) {
    return ConfigLoader.load(Optional.empty(), Map.of(), Map.of(
        "launcher.queue-url", "http://127.0.0.1:1/000000000000/launch-requests",
        "launcher.dlq-url", "http://127.0.0.1:1/000000000000/launch-requests-dlq",
        "launcher.aws.region", "us-east-1",
        "launcher.aws.cloudwatch-endpoint", "http://127.0.0.1:" + fakeCloudWatch.getAddress().getPort(),
        "launcher.metrics.registry", registry,
        "launcher.metrics.step", "1s"));
  }

  private static ProcessMeters meters(WorkerConfig config) {
    return ProcessMeters.create(config.metrics(), ProcessMeters.sdkClient(config.aws(),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test-secret"))));
  }

  @Test
  void cloudWatchRegistryPublishesPutMetricDataWithTheNamespaceAndLauncherMeters() {
    try (ProcessMeters meters = meters(config("cloudwatch"))) {
      WorkerMetrics metrics = new WorkerMetrics(meters.registry());
      metrics.received(3);
      metrics.outcome("launched", "launched", Duration.ofMillis(40));

      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
          assertThat(requests).anySatisfy(r -> {
            assertThat(r.path()).endsWith("PutMetricData");
            assertThat(r.body()).contains("ec2-launch-worker").contains("launcher.messages.received");
          }));
      assertThat(meters.publishesToCloudWatch()).isTrue();
      // /metrics keeps serving Prometheus text with the same meters.
      assertThat(meters.prometheus().scrape()).contains("launcher_messages_received_total 3.0");
      assertThat(requests.get(0).headers().get("Authorization")).as("signed with the given credentials")
          .anySatisfy(h -> assertThat(h).contains("AKIDTEST"));
    }
  }

  @Test
  void blockingAsyncClientCompletesWithTheServicesAnswerOverApache5() throws Exception {
    WorkerConfig config = config("cloudwatch");
    try (BlockingCloudWatchAsyncClient client = BlockingCloudWatchAsyncClient.create(config.aws().region(),
        config.aws().cloudwatchEndpoint(), StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
      var response = client.putMetricData(b -> b.namespace("ec2-launch-worker").metricData(d -> d
          .metricName("launcher.test").value(1.0))).get(10, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(response.sdkHttpResponse().isSuccessful()).isTrue();
      assertThat(requests).hasSize(1);
      assertThat(requests.get(0).headers().get("User-agent")).anySatisfy(h -> assertThat(h).contains("Apache5"));
    }
  }

  @Test
  void prometheusRegistryNeverAsksForACloudWatchClient() {
    WorkerConfig config = config("prometheus");
    try (ProcessMeters meters = ProcessMeters.create(config.metrics(), () -> {
      throw new AssertionError("CloudWatch client built although prometheus was chosen");
    })) {
      new WorkerMetrics(meters.registry()).received(1);

      assertThat(meters.publishesToCloudWatch()).isFalse();
      assertThat(meters.registry()).isSameAs(meters.prometheus());
      assertThat(meters.prometheus().scrape()).contains("launcher_messages_received_total 1.0")
          .contains("jvm_memory_used_bytes");
    }
  }
}
