package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import io.launchworker.poll.Readiness;
import io.launchworker.testing.MetricsTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, "metrics an alert can trust": a worker that has received nothing already exports every meter
 * operating.md's metrics table lists, each counter at 0 with every tag value the table lists for it, and its
 * readiness as {@code launcher_ready}, one series per reason. An alert's {@code increase(x[30m]) > 0} sees nothing
 * when {@code x} is created by its first event, so a counter missing here is an alert that never fires.
 */
class FreshWorkerMetricsTest {
  private record Series(String name, Map<String, String> labels) {}

  /** What starting counts: the hourly cap's first count from EC2 (readiness waits for it), one DescribeInstances. */
  private static final Set<Series> STARTUP_COUNTS = Set.of(
      new Series("launcher_instance_cap_counts_total", Map.of("result", "ok")),
      new Series("launcher_ec2_attempts_total", Map.of("operation", "DescribeInstances", "result", "ok")));

  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  /** Started, ready (received once, the hourly cap counted), and sent nothing. */
  private RunningWorker freshWorker() {
    RunningWorker worker = harness.startWorker(harness.config(o -> o), List.of());
    await().atMost(Duration.ofSeconds(20)).until(() -> worker.worker().readiness().reason() == Readiness.Reason.READY);
    return worker;
  }

  @Test
  void everyMeterTheDocsListExistsBeforeTheFirstMessageAndEveryCounterIsAtZeroWithItsTagValues() {
    PrometheusText scrape = PrometheusText.parse(freshWorker().scrape());
    List<MetricsTable.Row> rows = MetricsTable.read();
    assertThat(rows).as("rows of operating.md's metrics table").hasSizeGreaterThan(20);

    Map<String, String> problems = new TreeMap<>();
    for (MetricsTable.Row row : rows) {
      if (row.fromFirstEvent()) {
        continue;
      }
      for (String name : row.names()) {
        String sampled = row.histogram() ? name + "_count" : name;
        List<PrometheusText.Sample> samples = scrape.find(sampled, Map.of());
        if (samples.isEmpty()) {
          problems.put(name, "missing");
          continue;
        }
        if (name.endsWith("_total")) {
          samples.stream().filter(s -> s.value() != 0 && !STARTUP_COUNTS.contains(new Series(name, s.labels())))
              .forEach(s -> problems.put(name + s.labels(), "= " + s.value()));
        }
        row.tags().forEach((tag, values) -> {
          Set<String> present = samples.stream().map(s -> s.labels().get(tag)).collect(Collectors.toSet());
          Set<String> absent = new TreeSet<>(values);
          absent.removeAll(present);
          if (!absent.isEmpty()) {
            problems.put(name + " " + tag, "no series for " + absent + " (has " + present + ")");
          }
        });
      }
    }
    assertThat(problems).as("documented meter -> what a fresh worker's scrape lacks").isEmpty();
  }

  @Test
  void everyOutcomeKindHasASeriesAtZeroSoAnAlertOnItsFirstOccurrenceFires() {
    PrometheusText scrape = PrometheusText.parse(freshWorker().scrape());

    assertThat(scrape.series("launcher_outcomes_total")).containsKeys(
        Map.of("outcome", "deferred", "reason", "hourly_cap"),
        Map.of("outcome", "expired", "reason", "expired"),
        Map.of("outcome", "released", "reason", "shutdown"),
        Map.of("outcome", "retry", "reason", "account_fault"),
        Map.of("outcome", "retry", "reason", "consistency_hold"))
        .allSatisfy((labels, value) -> assertThat(value).as(labels.toString()).isZero());
    assertThat(scrape.value("launcher_result_events_lost_total", Map.of())).contains(0.0);
    assertThat(scrape.value("launcher_delete_failures_total", Map.of("error", "ReceiptHandleIsInvalid")))
        .contains(0.0);
    assertThat(scrape.value("launcher_account_faults_total", Map.of("error", "UnauthorizedOperation"))).contains(0.0);
  }

  @Test
  void readinessIsOneSeriesPerReasonWithOnlyTheCurrentOneAtOne() {
    RunningWorker worker = freshWorker();

    assertThat(readySeries(worker)).containsOnlyKeys(Readiness.Reason.tags())
        .containsEntry("ready", 1.0).satisfies(r -> assertThat(r.values()).containsOnlyOnce(1.0));

    worker.worker().shutdown();

    assertThat(readySeries(worker)).containsEntry("shutting_down", 1.0).containsEntry("ready", 0.0)
        .satisfies(r -> assertThat(r.values()).containsOnlyOnce(1.0));
  }

  private static Map<String, Double> readySeries(RunningWorker worker) {
    Map<String, Double> byReason = new TreeMap<>();
    PrometheusText.parse(worker.scrape()).series("launcher_ready")
        .forEach((labels, value) -> byReason.put(labels.get("reason"), value));
    return byReason;
  }
}
