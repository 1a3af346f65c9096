package io.launchworker.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The reports of several runs of each scenario, reduced to one table row per scenario: the median of each figure
 * (the lower of the middle two for an even count, so always a measured value) and the largest duplicate and lost
 * counts. Reads the JSON that {@link BenchReport#json()} writes; a figure a report lacks (or has as null, like
 * the pickup percentiles of a run that measured none) is left out of that figure's median, and a figure no run
 * has prints as {@code -}. Not thread-safe.
 */
public final class TargetMedians {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Scenario, eight medians, the two maxima; right-aligned under the header. */
  private static final String COLUMNS = "%-3s %10s %9s %9s %9s %9s %12s %9s %9s %5s %5s%n";

  private final Map<String, List<JsonNode>> reports = new LinkedHashMap<>();

  /** A table with a row for each of {@code scenarios}, in that order, whether or not any run reports. */
  public TargetMedians(List<String> scenarios) {
    scenarios.forEach(s -> reports.put(s, new ArrayList<>()));
  }

  /**
   * Adds one run's report.
   *
   * @throws IllegalArgumentException when {@code scenario} is not one of the table's or {@code json} is not a
   *     JSON object
   */
  public void add(String scenario, String json) {
    List<JsonNode> runs = reports.get(scenario);
    if (runs == null) {
      throw new IllegalArgumentException("no scenario " + scenario + " in " + reports.keySet());
    }
    JsonNode report;
    try {
      report = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a bench report: " + e.getOriginalMessage(), e);
    }
    if (report == null || !report.isObject()) {
      throw new IllegalArgumentException("not a bench report: not a JSON object");
    }
    runs.add(report);
  }

  /** How many reports {@code scenario} has. */
  public int runs(String scenario) {
    return reports.getOrDefault(scenario, List.of()).size();
  }

  /** The header and one row per scenario, columns as wide as the header's. */
  public String table() {
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, COLUMNS, "#", "req/s", "drain s", "pick p50", "pick p99", "cpu ms/r",
        "peak RSS MB", "start ms", "thrott %", "dup", "lost"));
    reports.forEach((scenario, runs) -> t.append(String.format(Locale.ROOT, COLUMNS, scenario,
        f(median(runs, r -> r.get("requestsPerSecond")), 1),
        f(median(runs, r -> r.get("drainSeconds")), 1),
        f(median(runs, r -> r.path("pickupMs").get("p50")), 1),
        f(median(runs, r -> r.path("pickupMs").get("p99")), 1),
        f(median(runs, r -> r.get("workerCpuSecondsPer1000")), 2),
        f(median(runs, r -> r.get("peakRssMb")), 0),
        f(median(runs, r -> r.get("startupMs")), 0),
        f(median(runs, r -> r.get("throttledPercent")), 2),
        n(max(runs, r -> r.get("duplicates"))),
        n(max(runs, r -> r.get("lost"))))));
    return t.toString();
  }

  /** The median of {@code values}: the middle one, or the lower of the middle two; empty for none. */
  static OptionalDouble median(List<Double> values) {
    if (values.isEmpty()) {
      return OptionalDouble.empty();
    }
    List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
    return OptionalDouble.of(sorted.get((sorted.size() - 1) / 2));
  }

  private static OptionalDouble median(List<JsonNode> runs, Function<JsonNode, JsonNode> figure) {
    return median(runs.stream().map(figure).flatMap(v -> number(v).stream()).map(JsonNode::asDouble).toList());
  }

  private static OptionalLong max(List<JsonNode> runs, Function<JsonNode, JsonNode> figure) {
    return runs.stream().map(figure).flatMap(v -> number(v).stream()).mapToLong(JsonNode::asLong).max();
  }

  private static Optional<JsonNode> number(JsonNode value) {
    return value != null && value.isNumber() ? Optional.of(value) : Optional.empty();
  }

  private static String f(OptionalDouble value, int decimals) {
    return value.isPresent() ? String.format(Locale.ROOT, "%." + decimals + "f", value.getAsDouble()) : "-";
  }

  private static String n(OptionalLong value) {
    return value.isPresent() ? Long.toString(value.getAsLong()) : "-";
  }
}
