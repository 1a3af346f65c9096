package io.launchworker.cli;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression (or a Grafana {@code label_values(metric, label)} query) reads. Good
 * enough for dashboards: strips strings, label matchers, ranges, Grafana variables and grouping clauses, then
 * keeps identifiers that are neither functions (followed by "(") nor keywords.
 */
final class PromQlMetricNames {
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "offset", "bool", "by", "without",
      "on", "ignoring", "group_left", "group_right", "atan2", "inf", "nan");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
  private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

  private PromQlMetricNames() {}

  static Set<String> of(String expression) {
    Set<String> names = new TreeSet<>();
    Matcher labelValues = LABEL_VALUES.matcher(expression);
    if (labelValues.find()) {
      names.add(labelValues.group(1));
      return names;
    }
    String stripped = expression
        .replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", " ")
        .replaceAll("'(?:\\\\.|[^'\\\\])*'", " ")
        .replaceAll("`[^`]*`", " ")
        .replaceAll("\\{[^}]*\\}", " ")
        .replaceAll("\\[[^\\]]*\\]", " ")
        .replaceAll("\\$\\{[^}]*\\}|\\$\\w+", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Matcher m = IDENTIFIER.matcher(stripped);
    while (m.find()) {
      boolean function = m.group(2) != null;
      if (!function && !KEYWORDS.contains(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}
