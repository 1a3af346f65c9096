package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.message.Outcome;
import io.launchworker.testing.MutableClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin server's {@code /status.json} and {@code /}, over real HTTP. */
class StatusEndpointTest {
  private static final Instant NOW = Instant.parse("2026-11-29T10:00:05Z");
  private final MutableClock clock = new MutableClock(NOW);
  private final RecentOutcomes recent = new RecentOutcomes(clock);
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicLong dlqVisible = new AtomicLong(3);
  private final HttpClient http = HttpClient.newHttpClient();
  private AdminServer server;

  @BeforeEach
  void start() throws Exception {
    WorkerMetrics metrics = new WorkerMetrics(registry);
    metrics.inFlightGauge(() -> 4);
    metrics.queueDepthGauge("source", "visible", () -> 17);
    metrics.queueDepthGauge("source", "in_flight", () -> 4);
    metrics.queueDepthGauge("source", "delayed", () -> 0);
    metrics.queueDepthGauge("dlq", "visible", dlqVisible::get);
    server = AdminServer.start("127.0.0.1", 0, registry, Optional::empty, recent);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode status() throws Exception {
    HttpResponse<String> response = get("/status.json");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return new ObjectMapper().readTree(response.body());
  }

  @Test
  void statusJsonCarriesInFlightQueueDepthsAndGaugesNotYetRegisteredAsNull() throws Exception {
    JsonNode status = status();

    assertThat(status.get("inFlight").asLong()).isEqualTo(4);
    assertThat(status.at("/queues/source/visible").asLong()).isEqualTo(17);
    assertThat(status.at("/queues/source/in_flight").asLong()).isEqualTo(4);
    assertThat(status.at("/queues/dlq/visible").asLong()).isEqualTo(3);
    assertThat(status.at("/queues/dlq/in_flight").isNull()).as("never registered").isTrue();
    assertThat(status.get("takenAt").asText()).isEqualTo(NOW.toString());
  }

  @Test
  void statusJsonCarriesTheWorkersStateWithItsDetailEscapedAndItsColourClass() throws Exception {
    server.close();
    WorkerState paused = new WorkerState("account_paused", "UnauthorizedOperation for \u202Eimage",
        WorkerState.Colour.BAD);
    server = AdminServer.start("127.0.0.1", 0, registry, new WorkerHealth() {
      @Override
      public Optional<String> notReadyBecause() {
        return Optional.of("paused");
      }

      @Override
      public Optional<String> notLiveBecause() {
        return Optional.empty();
      }

      @Override
      public WorkerState state() {
        return paused;
      }
    }, recent);

    JsonNode state = status().get("state");

    assertThat(state.get("name").asText()).isEqualTo("account_paused");
    assertThat(state.get("detail").asText()).isEqualTo("UnauthorizedOperation for \\u202Eimage");
    assertThat(state.get("colour").asText()).isEqualTo("bad");
  }

  @Test
  void statusJsonFollowsTheGaugesFromOneRequestToTheNext() throws Exception {
    assertThat(status().at("/queues/dlq/visible").asLong()).isEqualTo(3);
    dlqVisible.set(0);
    assertThat(status().at("/queues/dlq/visible").asLong()).isZero();
  }

  @Test
  void statusJsonListsRecentOutcomesWithInstancesOrRejectionReasonsAndCountsThem() throws Exception {
    recent.decided(Decisions.launched("m-1", NOW, "r-0abc", "i-0001", "i-0002"));
    recent.decided(Decisions.rejected("m-2", NOW, "instance_type_not_allowed",
        "instanceType: got \"p5.48xlarge\"; allowed: t3.*"));
    recent.decided(Decisions.decision("m-3", NOW, Outcome.rejected("ec2:InvalidAMIID.NotFound", "no such image",
        Optional.of("InvalidAMIID.NotFound"))));

    JsonNode status = status();

    assertThat(status.at("/totals/launched").asLong()).isEqualTo(1);
    assertThat(status.at("/totals/rejected").asLong()).isEqualTo(2);
    assertThat(status.at("/totals/already_launched").asLong()).isZero();
    assertThat(status.get("buckets")).hasSize(90);
    assertThat(status.get("bucketSeconds").asInt()).isEqualTo(10);
    JsonNode last = status.get("buckets").get(89);
    assertThat(last.get("start").asText()).isEqualTo("2026-11-29T10:00:00Z");
    assertThat(last.get("rejected").asLong()).isEqualTo(2);

    JsonNode newest = status.get("recent").get(0);
    assertThat(newest.get("messageId").asText()).isEqualTo("m-3");
    assertThat(newest.get("reason").asText()).isEqualTo("ec2:InvalidAMIID.NotFound");
    assertThat(newest.get("errorCode").asText()).isEqualTo("InvalidAMIID.NotFound");
    JsonNode rejected = status.get("recent").get(1);
    assertThat(rejected.get("outcome").asText()).isEqualTo("rejected");
    assertThat(rejected.get("detail").asText()).contains("p5.48xlarge");
    assertThat(rejected.get("reservationId").isNull()).isTrue();
    JsonNode launched = status.get("recent").get(2);
    assertThat(launched.get("outcome").asText()).isEqualTo("launched");
    assertThat(launched.get("token").asText()).isEqualTo("token-m-1");
    assertThat(launched.get("requestId").asText()).isEqualTo("req-m-1");
    assertThat(launched.get("reservationId").asText()).isEqualTo("r-0abc");
    assertThat(launched.get("processingMillis").asLong()).isEqualTo(250);
    assertThat(launched.get("instances").findValuesAsText("instanceId")).containsExactly("i-0001", "i-0002");
  }

  @Test
  void theStatusPageIsServedAtTheRootWithAPolicyThatAllowsOnlyThisServer() throws Exception {
    HttpResponse<String> page = get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
        assertThat(csp).contains("default-src 'none'").contains("connect-src 'self'").doesNotContain("http"));
    assertThat(page.body()).contains("fetch('/status.json'").contains("<svg id=\"chart\"");
  }

  @Test
  void theStatusPageReferencesNothingOutsideTheWorker() throws Exception {
    String html = get("/").body();

    // The SVG namespace is an identifier, never fetched; any other absolute URL would be a download.
    String withoutNamespace = html.replace("http://www.w3.org/2000/svg", "");
    assertThat(Pattern.compile("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}").matcher(withoutNamespace).find())
        .as("absolute or protocol-relative URL in the page").isFalse();
    assertThat(html).doesNotContainIgnoringCase("@import").doesNotContainIgnoringCase("url(");
    assertThat(html).doesNotContainPattern("<script[^>]+src=");
  }

  @Test
  void statusJsonAnswersHeadWithoutABodyAndRefusesOtherMethods() throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.port() + "/status.json");
    HttpResponse<String> head = http.send(HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("{}"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(head.body()).isEmpty();
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.body()).isEqualTo("GET only\n");
  }

  @Test
  void otherPathsUnderTheRootAreNotFound() throws Exception {
    assertThat(get("/favicon.ico").statusCode()).isEqualTo(404);
    assertThat(get("/metrics").statusCode()).as("still served by its own context").isEqualTo(200);
  }
}
