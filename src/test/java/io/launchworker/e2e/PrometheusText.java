package io.launchworker.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of a Prometheus text exposition (format 0.0.4), parsed line by line: {@code name{labels} value}.
 * Comment lines ({@code # HELP}, {@code # TYPE}) are skipped; label values are unescaped. A line that is neither
 * is an error, so a malformed scrape fails the test rather than being read as zero.
 */
record PrometheusText(List<Sample> samples) {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  record Sample(String name, Map<String, String> labels, double value) {}

  static PrometheusText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException("not a Prometheus sample line: " + line);
      }
      samples.add(new Sample(m.group(1), labels(m.group(2), line), Double.parseDouble(m.group(3))));
    }
    return new PrometheusText(List.copyOf(samples));
  }

  private static Map<String, String> labels(String text, String line) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return labels;
    }
    Matcher m = LABEL.matcher(text);
    int end = 0;
    while (m.find() && m.start() == end) {
      labels.put(m.group(1), m.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
      end = m.end();
    }
    if (end != text.length()) {
      throw new IllegalArgumentException("bad labels in: " + line);
    }
    return labels;
  }

  /** The samples of one name whose labels include every given pair. */
  List<Sample> find(String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name().equals(name))
        .filter(s -> s.labels().entrySet().containsAll(labels.entrySet())).toList();
  }

  /** The one sample of that name and those labels; absent when none, an error when several match. */
  Optional<Double> value(String name, Map<String, String> labels) {
    List<Sample> found = find(name, labels);
    if (found.size() > 1) {
      throw new IllegalStateException(found.size() + " samples match " + name + labels + ": " + found);
    }
    return found.stream().findFirst().map(Sample::value);
  }

  /** Label values of every sample of that name, as label maps (to compare whole series sets). */
  Map<Map<String, String>, Double> series(String name) {
    Map<Map<String, String>, Double> series = new LinkedHashMap<>();
    find(name, Map.of()).forEach(s -> series.put(s.labels(), s.value()));
    return series;
  }

  boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }
}
