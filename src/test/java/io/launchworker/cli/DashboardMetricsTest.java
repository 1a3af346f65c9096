package io.launchworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus configuration in {@code docker/} agree with what the worker really
 * exposes: every metric any panel or variable queries appears in a live scrape of {@code /metrics} after the
 * {@code sandbox} command's demo mix (launches, a redelivery found by token, a lost EC2 answer, rejections), or,
 * for a counter that exists only once its event happened (labelled by an error code), every query of it falls
 * back to 0. The names come from the dashboard, so new panels are checked without touching this test.
 * {@link PrometheusDashboardTest} evaluates the same queries in a real Prometheus.
 */
class DashboardMetricsTest {
  private static final Path DASHBOARD = Path.of("docker/grafana/ec2-launch-worker.json");
  private static final Path PROMETHEUS = Path.of("docker/prometheus.yml");

  /** What a query appends so that a panel shows 0, not "No data", while its metric does not exist yet. */
  static final String FALLS_BACK_TO_ZERO = " or on() vector(0)";
  /** Series Prometheus itself records for every target, never in a scrape. */
  private static final Set<String> PROMETHEUS_OWN = Set.of("up");
  /** Grafana units that are already per second. */
  private static final Set<String> RATE_UNITS = Set.of("reqps", "cps", "ops");

  @Test
  void everyMetricTheDashboardQueriesExistsInALiveScrapeOfASandboxRun() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    Map<String, Set<String>> queried = metricsByPanel(dashboard);
    Set<String> all = queried.values().stream().flatMap(Set::stream).collect(Collectors.toCollection(TreeSet::new));
    assertThat(all).as("metrics the dashboard queries").hasSizeGreaterThan(10);

    Set<String> scraped;
    try (SandboxRun run = SandboxRun.startDemo()) {
      scraped = seriesNames(scrape(run.adminPort()));
    }

    Map<String, Set<String>> missing = new TreeMap<>();
    queried.forEach((panel, names) -> names.stream().filter(n -> !scraped.contains(n) && !PROMETHEUS_OWN.contains(n))
        .filter(n -> !exprsReading(dashboard, n).stream().allMatch(e -> e.endsWith(FALLS_BACK_TO_ZERO)))
        .forEach(n -> missing.computeIfAbsent(panel, p -> new TreeSet<>()).add(n)));
    assertThat(missing).as("panel -> metrics not in the scrape (which has %s)", scraped).isEmpty();
  }

  @Test
  void theDashboardCoversWhatOperatorsAskFor() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    Set<String> all = metricsByPanel(dashboard).values().stream().flatMap(Set::stream).collect(Collectors.toSet());

    assertThat(all).contains("launcher_messages_received_total", "launcher_outcomes_total",
        "launcher_message_processing_seconds_bucket", "launcher_message_age_seconds_bucket",
        "launcher_messages_in_flight",
        "launcher_queue_depth", "launcher_ec2_calls_seconds_count", "launcher_ec2_attempts_total",
        "launcher_instances_last_hour", "launcher_instance_cap_binding", "launcher_instance_cap_counts_total",
        "launcher_account_paused", "launcher_account_faults_total", "launcher_token_signature_invalid_total",
        "launcher_dead_letter_refused_total", "launcher_shape_refusals_total", "launcher_shape_launches_total");
    // Every replica reports the fleet's count: a sum would multiply it by the number of replicas.
    assertThat(exprsReading(dashboard, "launcher_instances_last_hour")).isNotEmpty()
        .allSatisfy(e -> assertThat(e).startsWith("max(").doesNotContain("sum"));
    assertThat(exprsReading(dashboard, "launcher_ec2_attempts_total")).as("the throttle share reads attempts")
        .anySatisfy(e -> assertThat(e).contains("result=\"throttled\""));
    List<Integer> ids = new ArrayList<>();
    dashboard.get("panels").forEach(p -> ids.add(p.get("id").asInt()));
    assertThat(ids).as("panel ids").doesNotHaveDuplicates();
    dashboard.get("panels").forEach(p -> p.path("targets").forEach(t ->
        assertThat(t.at("/datasource/uid").asText()).as(p.get("title").asText()).isEqualTo("${datasource}")));
  }

  /**
   * increase() over $__rate_interval counts per interval, and Grafana changes the interval with the zoom: the same
   * traffic drew a different height at every time range. Per second it does not.
   */
  @Test
  void timeSeriesOfCountersArePerSecondRatesNotIncreasesPerInterval() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> perInterval = new ArrayList<>();
    for (JsonNode panel : allPanels(dashboard)) {
      panel.path("targets").forEach(t -> {
        if (t.path("expr").asText().matches("(?s).*increase\\([^\\]]*\\[\\$__(rate_)?interval\\].*")) {
          perInterval.add(panel.path("title").asText() + ": " + t.path("expr").asText());
        }
      });
      if (panel.path("type").asText().equals("timeseries") && panel.toString().contains("rate(")
          && panel.toString().contains("_total")) {
        // Per second, or a share: a rate divided by a rate.
        assertThat(panel.at("/fieldConfig/defaults/unit").asText()).as(panel.path("title").asText() + " unit")
            .isIn(Stream.concat(RATE_UNITS.stream(), Stream.of("percentunit")).toList());
      }
    }
    assertThat(perInterval).isEmpty();
  }

  @Test
  void countStatsShowWholeNumbersAndTheHoursCountsAreRounded() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<JsonNode> stats = allPanels(dashboard).stream().filter(p -> p.path("type").asText().equals("stat"))
        .filter(p -> !RATE_UNITS.contains(p.at("/fieldConfig/defaults/unit").asText())).toList();

    assertThat(stats).hasSizeGreaterThanOrEqualTo(8).allSatisfy(p -> assertThat(
        p.at("/fieldConfig/defaults/decimals").asText("none")).as(p.path("title").asText() + " decimals").isEqualTo("0"));
    stats.stream().flatMap(p -> java.util.stream.StreamSupport.stream(p.path("targets").spliterator(), false))
        .map(t -> t.path("expr").asText()).filter(e -> e.contains("increase("))
        .forEach(e -> assertThat(e).as("an extrapolated count").startsWith("round("));
  }

  @Test
  void atAGlanceShowsWhetherWorkersAreUpPausedOrHeldBackByTheCap() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    Set<String> glance = new HashSet<>();
    panelsOfRow(dashboard, "At a glance").stream().filter(p -> p.path("type").asText().equals("stat"))
        .forEach(p -> p.path("targets").forEach(t -> glance.addAll(PromQlMetricNames.of(t.path("expr").asText()))));

    assertThat(glance).contains("up", "launcher_account_paused", "launcher_instance_cap_binding");
  }

  @Test
  void theCapacityPanelIsInTheEc2Row() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());

    assertThat(panelsOfRow(dashboard, "EC2")).extracting(p -> p.path("title").asText()).contains("Capacity fallbacks");
  }

  /** The panels laid out below a row and above the next one. */
  private static List<JsonNode> panelsOfRow(JsonNode dashboard, String title) {
    List<JsonNode> rows = new ArrayList<>();
    dashboard.get("panels").forEach(p -> {
      if (p.path("type").asText().equals("row")) {
        rows.add(p);
      }
    });
    JsonNode row = rows.stream().filter(r -> r.path("title").asText().equals(title)).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + title));
    int top = row.at("/gridPos/y").asInt();
    int bottom = rows.stream().mapToInt(r -> r.at("/gridPos/y").asInt()).filter(y -> y > top).min()
        .orElse(Integer.MAX_VALUE);
    List<JsonNode> panels = new ArrayList<>();
    dashboard.get("panels").forEach(p -> {
      int y = p.at("/gridPos/y").asInt();
      if (!p.path("type").asText().equals("row") && y > top && y < bottom) {
        panels.add(p);
      }
    });
    return panels;
  }

  private static List<JsonNode> allPanels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    dashboard.get("panels").forEach(panels::add);
    dashboard.get("panels").forEach(p -> p.path("panels").forEach(panels::add));
    return panels;
  }

  @Test
  void prometheusScrapesTheWorkersAdminPort() throws Exception {
    List<String> lines = Files.readAllLines(PROMETHEUS).stream().map(String::strip).toList();

    assertThat(lines).contains("- job_name: ec2-launch-worker", "metrics_path: /metrics",
        "- targets: [\"worker:9400\"]");
  }

  /** A constant job matched nothing in Kubernetes, where the scrape job is named after the pod monitor. */
  @Test
  void theJobVariableListsTheJobsThatExportTheWorkersMetricsInsteadOfNamingOne() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<JsonNode> jobs = new ArrayList<>();
    dashboard.at("/templating/list").forEach(v -> {
      if (v.get("name").asText().equals("job")) {
        jobs.add(v);
      }
    });

    assertThat(jobs).as("the dashboard's job variable").singleElement().satisfies(job -> {
      assertThat(job.path("type").asText()).isEqualTo("query");
      assertThat(job.at("/query/query").asText()).matches("label_values\\(launcher_\\w+, job\\)");
      assertThat(job.has("allValue")).as("'All' must mean the listed jobs, not every job's JVM").isFalse();
    });
    dashboard.get("panels").forEach(p -> p.path("targets").forEach(t -> assertThat(t.path("expr").asText())
        .as(p.get("title").asText()).contains("job=~\"$job\"")));
  }

  @Test
  void metricNamesAreReadFromPromQlWithoutFunctionsLabelsOrVariables() {
    assertThat(PromQlMetricNames.of("sum by (outcome, reason) (increase(launcher_outcomes_total"
        + "{job=~\"$job\", reason!=\"ok\"}[$__rate_interval]))")).containsExactly("launcher_outcomes_total");
    assertThat(PromQlMetricNames.of("sum(rate(a_sum{x=\"y\"}[5m])) / on(instance) group_left "
        + "sum(rate(b_count[1m] offset 1h)) > bool 0.5e3")).containsExactly("a_sum", "b_count");
    assertThat(PromQlMetricNames.of("label_values(launcher_messages_received_total{job=~\"$job\"}, instance)"))
        .containsExactly("launcher_messages_received_total");
    assertThat(PromQlMetricNames.of("max(up) without (pod) and on() vector(1)")).containsExactly("up");
  }

  /** Every panel query (rows' panels included) that reads the metric. */
  static List<String> exprsReading(JsonNode dashboard, String metric) {
    List<String> exprs = new ArrayList<>();
    List<JsonNode> panels = new ArrayList<>();
    dashboard.get("panels").forEach(panels::add);
    dashboard.get("panels").forEach(p -> p.path("panels").forEach(panels::add));
    panels.forEach(p -> p.path("targets").forEach(t -> {
      String expr = t.path("expr").asText("");
      if (PromQlMetricNames.of(expr).contains(metric)) {
        exprs.add(expr);
      }
    }));
    return exprs;
  }

  /** Panel title (or variable name) to the metrics its queries read. */
  private static Map<String, Set<String>> metricsByPanel(JsonNode dashboard) {
    Map<String, Set<String>> byPanel = new TreeMap<>();
    List<JsonNode> panels = new ArrayList<>();
    dashboard.get("panels").forEach(panels::add);
    dashboard.get("panels").forEach(p -> p.path("panels").forEach(panels::add));
    for (JsonNode panel : panels) {
      Set<String> names = new HashSet<>();
      panel.path("targets").forEach(t -> names.addAll(PromQlMetricNames.of(t.path("expr").asText(""))));
      if (!names.isEmpty()) {
        byPanel.put("panel " + panel.get("title").asText(), names);
      }
    }
    dashboard.at("/templating/list").forEach(v -> {
      JsonNode query = v.path("query");
      String text = query.isObject() ? query.path("query").asText("") : query.asText("");
      if ("query".equals(v.path("type").asText())) {
        byPanel.put("variable " + v.get("name").asText(), PromQlMetricNames.of(text));
      }
    });
    return byPanel;
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static Set<String> seriesNames(String exposition) {
    return exposition.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
  }
}
