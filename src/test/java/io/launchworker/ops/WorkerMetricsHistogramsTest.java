package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shape of what {@link WorkerMetrics} exports, read from the Prometheus text: every meter described, every
 * timing histogram with a few dozen buckets fitted to what it measures. Message age was a distribution summary
 * in seconds with 276 default buckets from 1 to 4e18, counting ceil(value): a real Prometheus showed message-age
 * percentiles of exactly 0.5, 0.9 and 0.99 s whatever the ages were.
 */
class WorkerMetricsHistogramsTest {
  private static final Pattern BUCKET = Pattern.compile("^(launcher_\\w+)_bucket\\{(?:.*,)?le=\"([^\"]+)\".*$");
  /** "A few dozen at most": enough for percentiles, few enough that a fleet's series stay cheap. */
  private static final int MAX_BUCKETS = 30;
  /** Neighbouring bounds this far apart at most, so a quantile read from the buckets is off by less. */
  private static final double MAX_BOUND_RATIO = 3.0;

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final WorkerMetrics metrics = new WorkerMetrics(registry);

  /** Calls every recording method once, so every meter the worker can create exists. */
  private void recordOneOfEach() {
    metrics.received(1);
    metrics.messageAge(Duration.ofMillis(40));
    metrics.outcome("launched", "ok", Duration.ofMillis(300));
    metrics.instancesLaunched(1);
    metrics.ec2Call("RunInstances", "none", Duration.ofMillis(250));
    metrics.ec2Attempt("RunInstances", WorkerMetrics.AttemptResult.THROTTLED);
    metrics.lookup("redelivery", "found");
    metrics.visibilityExtended(1);
    metrics.deleted(1);
    metrics.deleteFailed("ReceiptHandleIsInvalid");
    metrics.resultEventLost();
    metrics.dlqSent();
    metrics.deadLetterRefused();
    metrics.receiveError();
    metrics.queueDepthGauge("source", "visible", () -> 0);
    metrics.capGauges(() -> 3, () -> 0);
    metrics.capCount("ok");
    metrics.accountFault("UnauthorizedOperation");
    metrics.tokenSignatureInvalid();
    metrics.accountPausedGauge(() -> 0);
    metrics.inFlightGauge(() -> 0);
  }

  @Test
  void everyMeterOfTheWorkerHasADescription() {
    recordOneOfEach();

    List<Meter> ours = registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("launcher.")).toList();
    assertThat(ours).hasSizeGreaterThan(20);
    assertThat(ours).allSatisfy(m -> assertThat(m.getId().getDescription()).as(m.getId().getName()).isNotBlank());
  }

  @Test
  void everyTimingHistogramHasAFewDozenBucketsAtMostThreeTimesApart() {
    recordOneOfEach();

    Map<String, List<Double>> histograms = bucketBounds(registry.scrape());
    assertThat(histograms).containsOnlyKeys("launcher_message_age_seconds", "launcher_message_processing_seconds",
        "launcher_ec2_calls_seconds");
    histograms.forEach((name, bounds) -> {
      assertThat(bounds).as(name).hasSizeBetween(8, MAX_BUCKETS);
      for (int i = 1; i < bounds.size(); i++) {
        assertThat(bounds.get(i) / bounds.get(i - 1)).as("%s: %s to %s", name, bounds.get(i - 1), bounds.get(i))
            .isLessThanOrEqualTo(MAX_BOUND_RATIO + 1e-9);
      }
    });
  }

  @Test
  void eachHistogramSpansTheValuesItMeasures() {
    recordOneOfEach();
    Map<String, List<Double>> histograms = bucketBounds(registry.scrape());

    // A queue that keeps up is read within tens of milliseconds; SQS keeps a message at most 14 days.
    assertSpans(histograms.get("launcher_message_age_seconds"), 0.01, Duration.ofDays(14).toSeconds());
    // A rejection takes about a millisecond; five minutes is far beyond any healthy launch.
    assertSpans(histograms.get("launcher_message_processing_seconds"), 0.001, 300);
    // A Describe on loopback takes milliseconds; the EC2 client gives up on a call after 60 s.
    assertSpans(histograms.get("launcher_ec2_calls_seconds"), 0.005, 60);
  }

  @Test
  void subSecondMessageAgesLandInSubSecondBuckets() {
    for (int i = 0; i < 10; i++) {
      metrics.messageAge(Duration.ofMillis(300));
    }

    Map<Double, Double> cumulative = new TreeMap<>();
    registry.scrape().lines().filter(l -> l.startsWith("launcher_message_age_seconds_bucket{")).forEach(l -> {
      Matcher m = BUCKET.matcher(l);
      assertThat(m.matches()).as(l).isTrue();
      double bound = m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2));
      cumulative.put(bound, Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)));
    });
    assertThat(cumulative).containsEntry(0.25, 0.0).containsEntry(0.5, 10.0);
  }

  private static void assertSpans(List<Double> bounds, double smallest, double largest) {
    assertThat(bounds.get(0)).as("first bound").isLessThanOrEqualTo(smallest);
    assertThat(bounds.get(bounds.size() - 1)).as("last finite bound").isGreaterThanOrEqualTo(largest);
  }

  /** Finite {@code le} bounds, ascending, of each histogram of the worker (the first series of each). */
  private static Map<String, List<Double>> bucketBounds(String exposition) {
    Map<String, TreeSet<Double>> bounds = new TreeMap<>();
    exposition.lines().map(BUCKET::matcher).filter(Matcher::matches).forEach(m -> {
      if (!m.group(2).equals("+Inf")) {
        bounds.computeIfAbsent(m.group(1), n -> new TreeSet<>()).add(Double.parseDouble(m.group(2)));
      }
    });
    Map<String, List<Double>> lists = new TreeMap<>();
    bounds.forEach((name, set) -> lists.put(name, new ArrayList<>(set)));
    return lists;
  }
}
