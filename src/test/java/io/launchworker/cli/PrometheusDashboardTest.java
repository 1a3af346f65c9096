package io.launchworker.cli;

import io.launchworker.testing.LocalProcesses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.launchworker.ops.WorkerMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The dashboard as a real Prometheus sees it. A Prometheus (Debian's {@code prometheus} package, which
 * {@code .ci/run} installs) scrapes a sandbox worker's admin port every second under a job name the dashboard
 * does not know, while the worker runs the demo mix, then launches through throttles its SDK retries away,
 * refuses an unsigned token attribute and pauses for an account fault. Every panel's query is then evaluated
 * through the HTTP API as Grafana would send it (variables substituted, the rate interval covering the run), and
 * {@code promtool check metrics} reads the worker's {@code /metrics}. Skipped, saying so, where {@code prometheus}
 * or {@code promtool} is not on PATH.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusDashboardTest {
  private static final Path DASHBOARD = Path.of("docker/grafana/ec2-launch-worker.json");
  private static final Path ALERT_RULES = Path.of("docker/prometheus/alerts.yml");
  /** Not docker/prometheus.yml's job: in Kubernetes the scrape job is named after the pod monitor. */
  private static final String JOB = "podmonitor/launch/ec2-launch-worker";
  /** Grafana's $__rate_interval, long enough to cover the whole run, so every rate sees its increases. */
  private static final String RUN_WINDOW = "5m";
  private static final String VALID = "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\"}";

  @TempDir
  static Path dir;

  private LocalPrometheus prometheus;
  private SandboxRun run;
  private JsonNode dashboard;
  private String exposition;

  private final Optional<Path> executable = LocalProcesses.onPath("prometheus");
  private final boolean installed = executable.isPresent() && LocalProcesses.onPath("promtool").isPresent();

  @BeforeAll
  void runAWorkloadWhilePrometheusScrapesIt() throws Exception {
    if (!installed) {
      return;
    }
    dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    int admin = LocalProcesses.freePort();
    prometheus = LocalPrometheus.start(executable.get(), dir, JOB, admin, List.of(ALERT_RULES));
    // The sandbox signs the token attribute with its own key, so an unsigned one is refused below.
    run = SandboxRun.startDemo(Map.of("launcher.admin.port", admin,
        "launcher.retry.base-delay", "1s", "launcher.retry.account-fault-delay", "2s"));
    // Scraped once before the waves below, so rates and quantiles over the run see them increase.
    awaitPrometheusHas("launcher_messages_received_total", WorkerMetrics.RECEIVED);

    long settled = run.finalOutcomes();
    // Throttles the handler asks again through its rate gate, into launches; an unsigned token attribute, refused.
    run.sandbox.ec2().faults().failNext("RunInstances", "RequestLimitExceeded", 503, 2);
    run.send(VALID);
    run.send(VALID);
    run.send(VALID, Map.of("launch-worker-token",
        MessageAttributeValue.builder().dataType("String").stringValue("producer-set").build()));
    run.awaitSettled((int) settled + 3);
    // An account fault: launches pause, a probe after the back-off launches it.
    run.sandbox.ec2().faults().failNext("RunInstances", "UnauthorizedOperation", 403, 1);
    run.send(VALID);
    run.awaitSettled((int) settled + 4);

    awaitPrometheusHas("launcher_outcomes_total", WorkerMetrics.OUTCOMES);
    exposition = get(URI.create("http://127.0.0.1:" + admin + "/metrics"));
  }

  /** Each test, not the class set-up, skips: JUnit reports a skipped set-up as no tests at all. */
  private void assumeInstalled() {
    assumeTrue(installed, "prometheus or promtool is not on PATH (Debian package prometheus; .ci/run installs it): "
        + "skipping the dashboard's check against a real Prometheus");
  }

  @AfterAll
  void stop() {
    try {
      if (run != null) {
        run.close();
      }
    } finally {
      if (prometheus != null) {
        prometheus.close();
      }
    }
  }

  @Test
  void everyPanelQueryEvaluatesAndShowsDataForTheMetersTheRunProduced() {
    assumeInstalled();
    Set<String> produced = exposition.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    Map<String, String> problems = new TreeMap<>();
    int evaluated = 0;
    for (JsonNode panel : panels()) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        String where = panel.path("title").asText() + " / " + target.path("refId").asText();
        JsonNode answer = prometheus.query(substitute(expr));
        evaluated++;
        if (!"success".equals(answer.path("status").asText())) {
          problems.put(where, "error " + answer.path("error").asText() + " in " + substitute(expr));
        } else if (PromQlMetricNames.of(expr).stream().anyMatch(produced::contains) && !hasANumber(answer)) {
          problems.put(where, "no data (" + answer.path("data") + ") for " + substitute(expr));
        }
      }
    }

    assertThat(evaluated).as("panel queries evaluated").isGreaterThan(30);
    assertThat(problems).as("panel -> what Prometheus answered; its log:%n%s", prometheus.logTail()).isEmpty();
  }

  /**
   * promtool's unit tests feed the rules made-up series; here they meet the worker's own: every rule evaluates
   * without an error (a label clash in a join fails only on real series), and a run with a short account pause,
   * throttles and a refused token attribute pages nobody (their alerts wait several minutes).
   */
  @Test
  void everyAlertRuleEvaluatesOnTheWorkersSeriesWithoutErrorAndNoneFires() {
    assumeInstalled();
    List<JsonNode> rules = new ArrayList<>();
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() -> {
      rules.clear();
      prometheus.rules().at("/data/groups").forEach(g -> g.path("rules").forEach(rules::add));
      return !rules.isEmpty() && rules.stream().noneMatch(r -> r.path("lastEvaluation").asText().startsWith("0001-"));
    });

    Map<String, String> unhealthy = new TreeMap<>();
    Map<String, String> states = new TreeMap<>();
    for (JsonNode rule : rules) {
      if (!rule.path("health").asText().equals("ok")) {
        unhealthy.put(rule.path("name").asText(), rule.path("health").asText() + ": " + rule.path("lastError"));
      }
      states.put(rule.path("name").asText(), rule.path("state").asText());
    }
    assertThat(unhealthy).as("rules Prometheus could not evaluate").isEmpty();
    assertThat(states).as("alert -> state").hasSizeGreaterThanOrEqualTo(10).doesNotContainValue("firing");
  }

  @Test
  void theJobAndInstanceVariablesFindTheWorkerWhateverItsScrapeJobIsCalled() {
    assumeInstalled();
    assertThat(variableValues("job")).containsExactly(JOB);
    assertThat(variableValues("instance")).containsExactly("127.0.0.1:" + run.adminPort());
  }

  @Test
  void theThrottleShareShowsThrottlesTheHandlerAskedAgainIntoLaunches() {
    assumeInstalled();
    JsonNode panel = panels().stream().filter(p -> p.path("title").asText().equals("Throttle rate")).findFirst()
        .orElseThrow();
    JsonNode share = prometheus.query(substitute(panel.at("/targets/0/expr").asText()));

    assertThat(prometheus.query("launcher_ec2_calls_seconds_count{error=\"RequestLimitExceeded\"}")
        .at("/data/result")).as("each throttle is a call of its own: the SDK does not repeat RunInstances")
        .isNotEmpty();
    assertThat(series(share)).containsKeys("RunInstances", "DescribeInstances");
    assertThat(series(share).get("RunInstances")).as("RunInstances' throttled share").isPositive();
    assertThat(series(share).get("DescribeInstances")).as("nothing throttled DescribeInstances").isZero();
  }

  @Test
  void promtoolFindsNothingWrongWithTheWholeScrape() throws Exception {
    assumeInstalled();
    Process promtool = new ProcessBuilder(LocalProcesses.onPath("promtool").orElseThrow().toString(), "check",
        "metrics").redirectErrorStream(true).start();
    try (var stdin = promtool.getOutputStream()) {
      stdin.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String report = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(promtool.waitFor(20, TimeUnit.SECONDS)).isTrue();

    assertThat(report).as("promtool check metrics, JVM binders included").isEmpty();
    assertThat(exposition).contains("# HELP launcher_outcomes_total ");
  }

  /** Waits until Prometheus's latest samples of a counter, summed, hold what the worker's registry holds. */
  private void awaitPrometheusHas(String name, String meter) {
    String expr = "sum(" + name + "{job=\"" + JOB + "\"})";
    try {
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() -> {
        double registry = run.runtime.registry().find(meter).counters().stream().mapToDouble(c -> c.count()).sum();
        Map<String, Double> seen = series(prometheus.query(expr));
        return registry > 0 && seen.size() == 1 && seen.values().iterator().next() == registry;
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "; prometheus's log:\n" + prometheus.logTail(), e);
    }
  }

  /** Every panel, those inside collapsed rows included. */
  private List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    dashboard.get("panels").forEach(panels::add);
    dashboard.get("panels").forEach(p -> p.path("panels").forEach(panels::add));
    return panels;
  }

  /** A variable's values as Grafana lists them: a custom one's own, a query's {@code label_values(selector, label)}. */
  private List<String> variableValues(String name) {
    for (JsonNode variable : dashboard.at("/templating/list")) {
      if (variable.path("name").asText().equals(name)) {
        if (variable.path("type").asText().equals("custom")) {
          return List.of(variable.path("query").asText().split("\\s*,\\s*"));
        }
        String query = variable.at("/query/query").asText();
        assertThat(query).as(name).startsWith("label_values(");
        String args = query.substring("label_values(".length(), query.lastIndexOf(')'));
        int comma = args.lastIndexOf(',');
        return prometheus.labelValues(args.substring(comma + 1).strip(), substitute(args.substring(0, comma)));
      }
    }
    throw new AssertionError("no variable " + name);
  }

  /** The query Grafana sends: "All" of each variable as a regex of its values, the rate interval the run's. */
  private String substitute(String expr) {
    String out = expr.replace("$__rate_interval", RUN_WINDOW).replace("$__range", RUN_WINDOW)
        .replace("$__interval", "1s");
    if (out.contains("$job")) {
      out = out.replace("$job", regexOf("job", variableValues("job")));
    }
    if (out.contains("$instance")) {
      out = out.replace("$instance", regexOf("instance", variableValues("instance")));
    }
    return out;
  }

  /** Grafana's regex format of a multi-value variable, written inside a PromQL string. */
  private static String regexOf(String variable, List<String> values) {
    assertThat(values).as("values of $%s: with none, every panel shows No data", variable).isNotEmpty();
    List<String> escaped = new ArrayList<>();
    for (String value : values) {
      StringBuilder b = new StringBuilder();
      for (char c : value.toCharArray()) {
        if (".*+?^${}()|[]\\/".indexOf(c) >= 0) {
          b.append("\\\\");
        }
        b.append(c);
      }
      escaped.add(b.toString());
    }
    return "(" + String.join("|", escaped) + ")";
  }

  /** True when the answer holds at least one finite value: Grafana's "No data" (or NaN) otherwise. */
  private static boolean hasANumber(JsonNode answer) {
    JsonNode data = answer.path("data");
    if (data.path("resultType").asText().equals("scalar")) {
      return Double.isFinite(number(data.path("result")));
    }
    for (JsonNode sample : data.path("result")) {
      if (Double.isFinite(number(sample.path("value")))) {
        return true;
      }
    }
    return false;
  }

  /** A vector answer's values by the operation label (or "" when it has none). */
  private static Map<String, Double> series(JsonNode answer) {
    Map<String, Double> values = new TreeMap<>();
    answer.at("/data/result").forEach(s -> values.put(s.at("/metric/operation").asText(""), number(s.path("value"))));
    return values;
  }

  /** A sample as the API writes it: [unix time, "value"], where the value may be NaN or ±Inf. */
  private static double number(JsonNode sample) {
    String text = sample.path(1).asText("NaN");
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  private static String get(URI uri) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(uri.toString()).isEqualTo(200);
    return response.body();
  }
}
