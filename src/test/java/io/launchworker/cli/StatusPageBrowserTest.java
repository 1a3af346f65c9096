package io.launchworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import io.launchworker.testing.HeadlessChromium;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real headless Chromium, against a worker that settled a known mix in a sandbox. Chromium
 * loads {@code /}, runs the page's script with its refreshes (virtual time, so no real waiting), and prints the
 * resulting DOM; the test reads the numbers from it and checks Chromium logged no console message at all (the
 * page logs nothing when it works; script errors, failed loads and CSP violations all log).
 *
 * <p>Skips, saying why, when no {@code chromium} is installed ({@code .ci/run} installs Debian's).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageBrowserTest {
  /** Virtual time the page may use: covers the first fetch and two refreshes 3 s apart. */
  private static final int VIRTUAL_TIME_MILLIS = 8000;

  private HeadlessChromium chromium;
  private SandboxRun run;
  private String dom;
  private String consoleOutput;

  @BeforeAll
  void loadThePageInChromium(@TempDir Path dir) throws Exception {
    chromium = HeadlessChromium.find(dir).orElse(null);
    if (chromium == null) {
      return;
    }
    run = SandboxRun.start();
    HeadlessChromium.Page page = chromium.load("http://127.0.0.1:" + run.adminPort() + "/", VIRTUAL_TIME_MILLIS);
    dom = page.dom();
    consoleOutput = page.consoleOutput();
  }

  /** Reported per test, so that surefire lists every test as skipped with the reason. */
  @BeforeEach
  void requireChromium() {
    Assumptions.assumeTrue(chromium != null, HeadlessChromium.missing("the status page browser test"));
  }

  @AfterAll
  void stop() {
    if (run != null) {
      run.close();
    }
  }

  /** The text of the element with this id (the page only puts text, never markup, into the ones we read). */
  private String text(String id) {
    Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(dom);
    assertThat(m.find()).as("element #%s in the DOM", id).isTrue();
    return m.group(1).replace("&amp;", "&").replace("&quot;", "\"").trim();
  }

  private List<String> rows() {
    Matcher m = Pattern.compile("<tr class=\"outcome\"[^>]*>.*?</tr>", Pattern.DOTALL).matcher(dom);
    List<String> rows = new ArrayList<>();
    while (m.find()) {
      rows.add(m.group());
    }
    return rows;
  }

  @Test
  void thePageLoadsAndRendersWithoutAnyConsoleMessageOrScriptError() {
    assertThat(dom).contains("data-loaded=\"true\"");
    assertThat(Integer.parseInt(dom.replaceAll("(?s).*data-updates=\"(\\d+)\".*", "$1")))
        .as("refreshed itself after the first load").isGreaterThanOrEqualTo(2);
    assertThat(text("page-errors")).as("errors the page caught").isEmpty();
    assertThat(consoleOutput).as("console messages Chromium logged").isEmpty();
    assertThat(text("connection")).isEqualTo("connected");
  }

  @Test
  void thePageShowsTheOutcomeCountsOfTheSandboxRun() {
    assertThat(text("total-launched")).isEqualTo(Integer.toString(SandboxRun.LAUNCHED));
    assertThat(text("total-rejected")).isEqualTo(Integer.toString(SandboxRun.REJECTION_REASONS.size()));
    assertThat(text("total-already_launched")).isEqualTo("0");
    assertThat(text("total-retry")).isEqualTo("0");
    assertThat(text("total-deferred")).isEqualTo("0");
    assertThat(text("total-expired")).isEqualTo("0");
    assertThat(text("throughput")).isEqualTo("7");
    // The launches may fall into two 10 s buckets (the adaptive EC2 budget starts at a quarter of its ceiling).
    assertThat(barTotal(dom, "launched")).as("launched bars").isEqualTo(5);
    assertThat(barTotal(dom, "rejected")).as("rejected bars").isEqualTo(2);
  }

  @Test
  void theStateLineShowsTheRealWorkerReadyInGreen() {
    assertThat(dom).contains("<div id=\"state\" class=\"ok\" data-state=\"ready\">");
    assertThat(text("state-name")).isEqualTo("ready");
  }

  @Test
  void thePageShowsInFlightAndTheQueueDepthsTheWorkerLastRead() {
    assertThat(text("in-flight")).isEqualTo("0");
    assertThat(text("q-source-visible")).isEqualTo(whole(run.gauge(WorkerMetrics.QUEUE_DEPTH, "queue", "source",
        "state", "visible")));
    assertThat(text("q-source-in_flight")).isEqualTo(whole(run.gauge(WorkerMetrics.QUEUE_DEPTH, "queue", "source",
        "state", "in_flight")));
    assertThat(text("q-dlq-visible")).isEqualTo(whole(run.gauge(WorkerMetrics.QUEUE_DEPTH, "queue", "dlq",
        "state", "visible")));
  }

  @Test
  void theLastOutcomesListInstanceIdsForLaunchesAndReasonsForRejections() {
    List<String> rows = rows();
    assertThat(rows).hasSize(SandboxRun.LAUNCHED + SandboxRun.REJECTION_REASONS.size());

    List<String> launched = rows.stream().filter(r -> r.contains("data-outcome=\"launched\"")).toList();
    assertThat(launched).hasSize(SandboxRun.LAUNCHED);
    List<EmulatedInstance> instances = run.instances();
    assertThat(instances).hasSize(SandboxRun.LAUNCHED);
    for (EmulatedInstance instance : instances) {
      assertThat(launched).as("a row naming %s", instance.instanceId())
          .anyMatch(r -> r.contains(instance.instanceId()) && r.contains(instance.reservationId()));
    }
    for (String requestId : run.requestIds) {
      assertThat(launched).anyMatch(r -> r.contains(requestId));
    }
    List<String> rejected = rows.stream().filter(r -> r.contains("data-outcome=\"rejected\"")).toList();
    assertThat(rejected).hasSize(SandboxRun.REJECTION_REASONS.size());
    for (String reason : SandboxRun.REJECTION_REASONS) {
      assertThat(rejected).anyMatch(r -> r.contains("<td class=\"reason\">" + reason + "</td>"));
    }
    assertThat(rejected).anyMatch(r -> r.contains("p5.48xlarge"));
  }

  @Test
  void userDataNeverReachesThePage() {
    assertThat(dom).doesNotContain(SandboxRun.USER_DATA_MARKER).doesNotContain(SandboxRun.USER_DATA_BASE64)
        .doesNotContain("userData");
  }

  private static String whole(double value) {
    return Long.toString((long) value);
  }

  /** The sum of the chart's bars of one outcome. */
  private static int barTotal(String dom, String kind) {
    java.util.regex.Matcher bars = java.util.regex.Pattern.compile(
        "<rect [^>]*class=\"bar " + kind + "\"[^>]*data-count=\"(\\d+)\"").matcher(dom);
    int total = 0;
    while (bars.find()) {
      total += Integer.parseInt(bars.group(1));
    }
    return total;
  }
}
