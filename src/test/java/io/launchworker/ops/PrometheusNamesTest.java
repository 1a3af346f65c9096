package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.launchworker.testing.LocalProcesses;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@code /metrics} serves from start-up passes {@code promtool check metrics} (Debian's prometheus package;
 * .ci/run installs it), JVM binders included: Micrometer's {@code system.cpu.count} and its CPU time in nanoseconds
 * are exported under names Prometheus accepts.
 */
class PrometheusNamesTest {
  private static String scrape() {
    PrometheusMeterRegistry registry = Metrics.prometheus();
    WorkerMetrics metrics = new WorkerMetrics(registry);
    metrics.readinessGauges(List.of("ready", "no_receive_yet"), () -> "ready");
    metrics.expectAccountFaults(List.of("UnauthorizedOperation"));
    metrics.expectDeleteFailures(List.of("ReceiptHandleIsInvalid"));
    return registry.scrape();
  }

  @Test
  void theProcessorCountAndCpuTimeHaveNamesWithoutHistogramSuffixesOrAbbreviatedUnits() {
    String scrape = scrape();

    assertThat(scrape).contains("\nsystem_cpu_processors ", "\nprocess_cpu_seconds_total ")
        .doesNotContain("system_cpu_count", "process_cpu_time_ns");
  }

  @Test
  void theCpuTimeIsInSeconds() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    PrometheusMeterRegistry registry = Metrics.prometheus();
    double before = os.getProcessCpuTime() / 1e9;
    double exported = registry.get("process.cpu").functionCounter().count();
    double after = os.getProcessCpuTime() / 1e9;

    assertThat(exported).isBetween(before, after);
  }

  @Test
  void promtoolFindsNothingToReportInAFreshScrape() throws Exception {
    Optional<Path> promtool = LocalProcesses.onPath("promtool");
    assumeTrue(promtool.isPresent(), "promtool is not on PATH (Debian package prometheus; .ci/run installs it)");
    Process process = new ProcessBuilder(promtool.get().toString(), "check", "metrics").redirectErrorStream(true)
        .start();
    try (var stdin = process.getOutputStream()) {
      stdin.write(scrape().getBytes(StandardCharsets.UTF_8));
    }
    String report = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(report).as("promtool check metrics").isEmpty();
    assertThat(process.exitValue()).isZero();
  }
}
