package io.launchworker.cli;

import io.launchworker.testing.LocalProcesses;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's {@code prometheus} package) in a child process, scraping one target every second
 * under a job name, listening on a free loopback port, its data in a folder the caller owns. Queried through its
 * HTTP API the way Grafana queries it. {@link #close()} stops the process (SIGTERM, then kill after 10 s).
 */
final class LocalPrometheus implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final URI base;
  private final Path log;

  private LocalPrometheus(Process process, URI base, Path log) {
    this.process = process;
    this.base = base;
    this.log = log;
  }

  /** Starts Prometheus scraping {@code 127.0.0.1:targetPort/metrics} every second as {@code job}; waits until ready. */
  static LocalPrometheus start(Path executable, Path dir, String job, int targetPort) throws IOException {
    return start(executable, dir, job, targetPort, List.of());
  }

  /** As {@link #start(Path, Path, String, int)}, evaluating these rule files every second too. */
  static LocalPrometheus start(Path executable, Path dir, String job, int targetPort, List<Path> ruleFiles)
      throws IOException {
    Path config = dir.resolve("prometheus.yml");
    List<String> rules = new ArrayList<>();
    if (!ruleFiles.isEmpty()) {
      rules.add("rule_files:");
      ruleFiles.forEach(f -> rules.add("  - \"" + f.toAbsolutePath() + "\""));
    }
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        String.join("\n", rules),
        "scrape_configs:",
        "  - job_name: " + job,
        "    scrape_timeout: 1s",
        "    metrics_path: /metrics",
        "    static_configs:",
        "      - targets: [\"127.0.0.1:" + targetPort + "\"]",
        ""));
    int port = LocalProcesses.freePort();
    Path log = dir.resolve("prometheus.log");
    Process process = new ProcessBuilder(executable.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    LocalPrometheus prometheus = new LocalPrometheus(process, URI.create("http://127.0.0.1:" + port), log);
    try {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .failFast("prometheus exited: " + prometheus.logTail(), () -> !process.isAlive())
          .until(() -> prometheus.ready());
    } catch (RuntimeException | Error e) {
      prometheus.close();
      throw e;
    }
    return prometheus;
  }

  private boolean ready() {
    try {
      return HTTP.send(HttpRequest.newBuilder(base.resolve("/-/ready")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** An instant query at now: the API's whole answer ({@code status}, {@code data} or {@code error}). */
  JsonNode query(String expr) {
    return get("/api/v1/query?query=" + encode(expr) + "&time=" + Instant.now().getEpochSecond());
  }

  /** The rule groups as Prometheus evaluates them, each rule with its {@code health} and {@code lastError}. */
  JsonNode rules() {
    return get("/api/v1/rules");
  }

  /** What Grafana's {@code label_values(selector, label)} lists: the label's values on series matching it. */
  List<String> labelValues(String label, String selector) {
    JsonNode answer = get("/api/v1/label/" + label + "/values?match[]=" + encode(selector));
    List<String> values = new ArrayList<>();
    answer.path("data").forEach(v -> values.add(v.asText()));
    return values;
  }

  private JsonNode get(String pathAndQuery) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  /** The last lines Prometheus logged, for failure messages. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
