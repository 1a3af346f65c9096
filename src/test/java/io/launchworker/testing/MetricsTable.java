package io.launchworker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics table of operating.md ("### Metrics"), row by row: the Prometheus names in its first column, the tags
 * of its second with the values listed for each (a tag's parenthesis is a list of values only when every
 * comma-separated piece is one word; prose such as "(the AWS error code)" lists none), and the row's whole text.
 */
public final class MetricsTable {
  public static final Path OPERATING = Path.of("src/site/markdown/operating.md");
  private static final Pattern NAME = Pattern.compile("`([a-z_:][a-z0-9_:]*)`");
  private static final Pattern TAG = Pattern.compile("`(\\w+)`(?:\\s*\\(([^)]*)\\))?");
  private static final Pattern WORD = Pattern.compile("[A-Za-z_]+");

  /**
   * @param names the Prometheus names the row documents (wildcards such as {@code jvm_*} left out)
   * @param tags each tag and the values the row lists for it (empty when it lists none)
   */
  public record Row(List<String> names, Map<String, List<String>> tags, String text) {
    /** The row says its meter appears only with its first event (its tag values are not known before). */
    public boolean fromFirstEvent() {
      return text.contains("exists from its first");
    }

    /** A histogram row: its samples are {@code name_bucket}, {@code _count}, {@code _sum} (and {@code _max}). */
    public boolean histogram() {
      return text.contains("(histogram");
    }
  }

  private MetricsTable() {}

  public static List<Row> read() {
    List<String> lines;
    try {
      lines = Files.readAllLines(OPERATING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int at = lines.indexOf("### Metrics");
    if (at < 0) {
      throw new IllegalStateException("no \"### Metrics\" section in " + OPERATING);
    }
    while (!lines.get(at).startsWith("| metric")) {
      at++;
    }
    List<Row> rows = new ArrayList<>();
    for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      rows.add(row(lines.get(i)));
    }
    return rows;
  }

  private static Row row(String line) {
    String[] cells = line.split("\\|");
    List<String> names = new ArrayList<>();
    Matcher name = NAME.matcher(cells[1]);
    while (name.find()) {
      names.add(name.group(1));
    }
    Map<String, List<String>> tags = new LinkedHashMap<>();
    Matcher tag = TAG.matcher(cells[2]);
    while (tag.find()) {
      List<String> values = tag.group(2) == null ? List.of()
          : Arrays.stream(tag.group(2).split(",")).map(String::strip).toList();
      tags.put(tag.group(1), values.stream().allMatch(v -> WORD.matcher(v).matches()) ? values : List.of());
    }
    return new Row(List.copyOf(names), tags, line);
  }
}
