package io.launchworker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.launchworker.testing.LocalProcesses;
import io.launchworker.testing.MetricsTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules in {@code docker/prometheus/}: {@code promtool check rules} accepts them and
 * {@code promtool test rules} passes their unit tests (Debian's prometheus package; .ci/run installs it; skipped,
 * saying so, without it); every alert has a test case where it fires and one where it does not, a severity, a
 * summary and a runbook line in operating.md; it reads only metrics the worker exports from start-up; and both
 * Prometheus configurations that ship (docker/prometheus.yml, in the compose stack) load the file.
 */
class AlertRulesTest {
  private static final Path DOCKER = Path.of("docker");
  private static final Path RULES = DOCKER.resolve("prometheus/alerts.yml");
  private static final Path RULE_TESTS = DOCKER.resolve("prometheus/alerts.test.yml");
  private static final Path PROMETHEUS = DOCKER.resolve("prometheus.yml");
  private static final Path COMPOSE = DOCKER.resolve("compose.yaml");
  /** Where the prom/prometheus image reads its configuration file, and so resolves relative rule files from. */
  private static final String CONTAINER_CONFIG_DIR = "/etc/prometheus";
  private static final Set<String> SEVERITIES = Set.of("critical", "warning");
  /** Series Prometheus makes itself for every target. */
  private static final Set<String> PROMETHEUS_OWN = Set.of("up");

  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    String report = promtool("check", "rules", RULES.toString());

    assertThat(report).contains("SUCCESS: " + alerts().size() + " rules found");
  }

  @Test
  void promtoolUnitTestsOfTheRulesPass() throws Exception {
    String report = promtool("test", "rules", RULE_TESTS.toString());

    assertThat(report).contains("SUCCESS");
  }

  @Test
  void everyAlertHasATestCaseWhereItFiresAndOneWhereItDoesNot() throws IOException {
    Map<String, Set<String>> cases = new TreeMap<>();
    JsonNode tests = YAML.readTree(RULE_TESTS.toFile());
    assertThat(tests.path("rule_files").get(0).asText()).as("rule_files of the tests, relative to them")
        .isEqualTo(RULE_TESTS.getParent().relativize(RULES).toString());
    for (JsonNode test : tests.path("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        cases.computeIfAbsent(check.path("alertname").asText(), a -> new TreeSet<>())
            .add(check.path("exp_alerts").isEmpty() ? "does not fire" : "fires");
      }
    }

    Map<String, Set<String>> expected = new TreeMap<>();
    alerts().keySet().forEach(a -> expected.put(a, Set.of("does not fire", "fires")));
    assertThat(cases).as("alert -> its kinds of test case").isEqualTo(expected);
  }

  @Test
  void everyAlertHasASeveritySummaryAndRunbookLineInOperatingMd() throws IOException {
    String operating = Files.readString(MetricsTable.OPERATING);
    Map<String, String> runbookSeverities = new TreeMap<>();
    operating.lines().filter(l -> l.matches("\\| `Launch\\w+` \\| \\w+ \\|.*\\|.*\\|"))
        .forEach(l -> runbookSeverities.put(l.split("`")[1], l.split("\\|")[2].strip()));
    assertThat(runbookSeverities).as("runbook rows").isNotEmpty();

    Map<String, String> severities = new TreeMap<>();
    alerts().forEach((name, rule) -> {
      severities.put(name, rule.at("/labels/severity").asText());
      assertThat(rule.at("/annotations/summary").asText()).as(name + " summary").isNotBlank();
      assertThat(rule.at("/annotations/runbook").asText()).as(name + " runbook").isEqualTo("operating.md#alerts");
    });
    assertThat(severities.values()).isSubsetOf(SEVERITIES);
    assertThat(runbookSeverities).as("operating.md's Alerts table: alert -> severity").isEqualTo(severities);
    assertThat(operating).contains("\n### Alerts\n");
  }

  @Test
  void everyMetricAnAlertReadsExistsFromStartUpOnEveryWorker() {
    Map<String, MetricsTable.Row> documented = new LinkedHashMap<>();
    for (MetricsTable.Row row : MetricsTable.read()) {
      for (String name : row.names()) {
        documented.put(name, row);
        if (row.histogram()) {
          List.of("_bucket", "_count", "_sum").forEach(suffix -> documented.put(name + suffix, row));
        }
      }
    }

    Map<String, String> problems = new TreeMap<>();
    alerts().forEach((name, rule) -> {
      Set<String> read = PromQlMetricNames.of(rule.path("expr").asText());
      assertThat(read).as(name + " reads").isNotEmpty();
      for (String metric : read) {
        MetricsTable.Row row = documented.get(metric);
        if (PROMETHEUS_OWN.contains(metric)) {
          continue;
        }
        if (row == null) {
          problems.put(name + " " + metric, "not in operating.md's metrics table");
        } else if (row.fromFirstEvent()) {
          problems.put(name + " " + metric, "exists only from its first event: the alert cannot see that one");
        }
      }
    });
    // FreshWorkerMetricsTest checks that every metric of the table exists at start-up unless it says otherwise.
    assertThat(problems).isEmpty();
  }

  @Test
  void bothShippedPrometheusConfigurationsLoadTheRules() throws IOException {
    List<String> ruleFiles = new ArrayList<>();
    YAML.readTree(PROMETHEUS.toFile()).path("rule_files").forEach(f -> ruleFiles.add(f.asText()));
    assertThat(ruleFiles).as("rule_files of docker/prometheus.yml").hasSize(1);
    String ruleFile = ruleFiles.get(0);
    assertThat(PROMETHEUS.getParent().resolve(ruleFile).normalize()).as("in the repository").isEqualTo(RULES);

    Map<String, String> mounts = new LinkedHashMap<>();
    YAML.readTree(COMPOSE.toFile()).at("/services/prometheus/volumes").forEach(v -> {
      String[] parts = v.asText().split(":");
      mounts.put(parts[1], parts[0]);
    });
    assertThat(mounts).containsEntry(CONTAINER_CONFIG_DIR + "/prometheus.yml", "./" + PROMETHEUS.getFileName());
    // The file the container's Prometheus opens is the repository's, through one of the mounts.
    Path inContainer = Path.of(CONTAINER_CONFIG_DIR).resolve(ruleFile).normalize();
    Optional<Path> onHost = mounts.entrySet().stream().filter(m -> inContainer.startsWith(m.getKey()))
        .map(m -> DOCKER.resolve(m.getValue()).resolve(Path.of(m.getKey()).relativize(inContainer)).normalize())
        .findFirst();
    assertThat(onHost).as("the mount that holds " + inContainer).contains(RULES);
  }

  /** Alert name to its rule, in file order. */
  private static Map<String, JsonNode> alerts() {
    Map<String, JsonNode> alerts = new LinkedHashMap<>();
    try {
      YAML.readTree(RULES.toFile()).path("groups").forEach(g -> g.path("rules").forEach(r -> {
        assertThat(alerts.put(r.path("alert").asText(), r)).as("alert " + r.path("alert").asText() + " twice")
            .isNull();
      }));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(alerts).as("alerts in " + RULES).isNotEmpty().doesNotContainKey("");
    return alerts;
  }

  /** Runs promtool, asserting it exits 0; skips the test where promtool is not installed. */
  private static String promtool(String... args) throws Exception {
    Optional<Path> promtool = LocalProcesses.onPath("promtool");
    assumeTrue(promtool.isPresent(), "promtool is not on PATH (Debian package prometheus; .ci/run installs it): "
        + "skipping the alert rules' promtool checks");
    List<String> command = new ArrayList<>(List.of(promtool.get().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String report = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    assertThat(process.exitValue()).as("promtool %s exit code; it said:%n%s", String.join(" ", args), report)
        .isZero();
    return report;
  }
}
