package io.launchworker.e2e;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.launch.LaunchHandler;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 4's "a sandbox run with faults shows every meter with the right counts": {@link FaultScript} runs once,
 * then each test reads the Prometheus text an operator's scraper would read and checks one family of meters
 * against the counts the script makes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MeterCountsTest {
  /** A UUID (SQS message IDs) or anything long and random-looking enough to be an ID or token. */
  private static final Pattern ID_LIKE = Pattern.compile(
      "(?i).*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}.*|.*drift-token.*|.*req-.*|i-[0-9a-f]{8,}|r-[0-9a-f]{8,}");

  private SandboxHarness harness;
  private PrometheusText scrape;

  @BeforeAll
  void runTheScript() {
    harness = new SandboxHarness();
    SandboxHarness.RunningWorker worker = FaultScript.run(harness, List.of());
    scrape = PrometheusText.parse(worker.scrape());
  }

  @AfterAll
  void close() {
    harness.close();
  }

  /** The series of a counter that counted something: the others exist at 0 from the start. */
  private Map<Map<String, String>, Double> counted(String name) {
    Map<Map<String, String>, Double> counted = new java.util.LinkedHashMap<>(scrape.series(name));
    counted.values().removeIf(v -> v == 0);
    return counted;
  }

  private double value(String name, Map<String, String> labels) {
    return scrape.value(name, labels).orElseThrow(() -> new AssertionError("no sample " + name + labels));
  }

  @Test
  void receivedCountsEveryReceiptIncludingTheRetriedOne() {
    assertThat(value("launcher_messages_received_total", Map.of())).isEqualTo(FaultScript.RECEIVED);
    assertThat(value("launcher_message_age_seconds_count", Map.of())).isEqualTo(FaultScript.RECEIVED);
  }

  @Test
  void outcomesByKindAndReasonAreExactlyTheScriptsAndNothingElse() {
    assertThat(counted("launcher_outcomes_total")).containsOnly(
        entry(Map.of("outcome", "launched", "reason", "ok"), 3.0),
        entry(Map.of("outcome", "already_launched", "reason", "found_by_redelivery"), 1.0),
        entry(Map.of("outcome", "already_launched", "reason", "found_by_client_token"), 1.0),
        entry(Map.of("outcome", "rejected", "reason", "malformed_json"), 1.0),
        entry(Map.of("outcome", "rejected", "reason", "unknown_field"), 1.0),
        entry(Map.of("outcome", "retry", "reason", "throttled"), 1.0));
    assertThat(value("launcher_message_processing_seconds_count", Map.of("outcome", "launched"))).isEqualTo(3);
    assertThat(value("launcher_message_processing_seconds_count", Map.of("outcome", "already_launched")))
        .isEqualTo(2);
    assertThat(value("launcher_message_processing_seconds_count", Map.of("outcome", "rejected"))).isEqualTo(2);
    assertThat(value("launcher_message_processing_seconds_count", Map.of("outcome", "retry"))).isEqualTo(1);
  }

  @Test
  void instancesLaunchedCountsOnlyThisWorkersOwnLaunches() {
    assertThat(value("launcher_instances_launched_total", Map.of())).isEqualTo(FaultScript.PLAIN_LAUNCHES);
  }

  @Test
  void ec2CallsAreTimedByOperationAndErrorCode() {
    Map<Map<String, String>, Double> calls = scrape.series("launcher_ec2_calls_seconds_count");
    double capCounts = value("launcher_instance_cap_counts_total", Map.of("result", "ok"));

    assertThat(capCounts).as("at least the count before the first receive").isGreaterThanOrEqualTo(1);
    assertThat(value("launcher_instance_cap_counts_total", Map.of("result", "failed"))).as("at 0 from the start")
        .isZero();
    assertThat(calls).containsOnly(
        entry(Map.of("operation", "RunInstances", "error", "none"), 3.0),
        // the throttled message: its first call and the handler's repeats, each throttled (the SDK repeats none)
        entry(Map.of("operation", "RunInstances", "error", "RequestLimitExceeded"),
            LaunchHandler.THROTTLED_REPEATS + 1.0),
        // the crash's redelivery (found by tag), the throttled message's redelivery (nothing by tag, then by its shapes'
        // client tokens), the drift's look-up (found by tag), and the
        // hourly cap's counts (one page each)
        entry(Map.of("operation", "DescribeInstances", "error", "none"), 4.0 + capCounts));
  }

  @Test
  void ec2AttemptsShowEveryThrottledAttempt() {
    Map<Map<String, String>, Double> attempts = scrape.series("launcher_ec2_attempts_total");
    double capCounts = value("launcher_instance_cap_counts_total", Map.of("result", "ok"));

    // The throttled message was asked three times, each attempt throttled.
    assertThat(attempts.get(Map.of("operation", "RunInstances", "result", "throttled")))
        .isEqualTo(LaunchHandler.THROTTLED_REPEATS + 1.0);
    assertThat(attempts).contains(
        entry(Map.of("operation", "RunInstances", "result", "ok"), 3.0),
        entry(Map.of("operation", "DescribeInstances", "result", "ok"), 4.0 + capCounts),
        entry(Map.of("operation", "DescribeInstances", "result", "throttled"), 0.0),
        entry(Map.of("operation", "RunInstances", "result", "no_response"), 0.0));
  }

  @Test
  void redeliveryLookupsSayWhatTheyFound() {
    assertThat(counted("launcher_redelivery_lookups_total")).containsOnly(
        entry(Map.of("trigger", "redelivery", "result", "found"), 1.0),
        entry(Map.of("trigger", "redelivery", "result", "not_found"), 1.0),
        entry(Map.of("trigger", "client_token", "result", "found"), 1.0));
  }

  @Test
  void deletesAndDeadLettersMatchTheFinalOutcomes() {
    assertThat(value("launcher_deletes_total", Map.of())).isEqualTo(FaultScript.RECEIVED - 1);
    assertThat(value("launcher_dlq_sends_total", Map.of())).isEqualTo(FaultScript.REJECTED);
    assertThat(counted("launcher_delete_failures_total")).isEmpty();
  }

  @Test
  void slowLaunchesWereKeptInvisibleByVisibilityExtensions() {
    assertThat(value("launcher_visibility_extensions_total", Map.of())).isPositive();
  }

  @Test
  void nothingIsInFlightAtTheEndAndQueueDepthsArePublished() {
    assertThat(value("launcher_messages_in_flight", Map.of())).isZero();
    for (String queue : List.of("source", "dlq")) {
      for (String state : List.of("visible", "in_flight", "delayed")) {
        assertThat(scrape.value("launcher_queue_depth", Map.of("queue", queue, "state", state)))
            .as("queue depth %s/%s", queue, state).isPresent();
      }
    }
  }

  @Test
  void jvmAndProcessBindersArePresent() {
    assertThat(scrape.has("jvm_memory_used_bytes")).isTrue();
    assertThat(scrape.has("process_cpu_usage")).isTrue();
  }

  @Test
  void noTagValueIsAMessageIdTokenRequestIdOrInstanceId() {
    assertThat(scrape.samples()).allSatisfy(s -> assertThat(s.labels().values())
        .as("labels of %s", s.name()).noneMatch(v -> ID_LIKE.matcher(v).matches()));
  }
}
