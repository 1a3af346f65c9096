package io.launchworker.cli;

import java.util.ArrayList;
import java.util.List;

/** Line numbers written as ranges for a person to act on: {@code 1-20, 25, 31-40}. Stateless. */
final class LineRanges {
  /** More ranges than this are summarised: a list nobody can read helps nobody. */
  static final int MAX_RANGES = 20;

  private LineRanges() {}

  /** @param lines ascending line numbers; "none" when empty */
  static String of(List<Integer> lines) {
    if (lines.isEmpty()) {
      return "none";
    }
    List<String> ranges = new ArrayList<>();
    int start = lines.get(0);
    int previous = start;
    for (int line : lines.subList(1, lines.size())) {
      if (line != previous + 1) {
        ranges.add(range(start, previous));
        start = line;
      }
      previous = line;
    }
    ranges.add(range(start, previous));
    if (ranges.size() > MAX_RANGES) {
      int more = ranges.size() - MAX_RANGES;
      return String.join(", ", ranges.subList(0, MAX_RANGES)) + " and " + more + " more range(s)";
    }
    return String.join(", ", ranges);
  }

  private static String range(int from, int to) {
    return from == to ? Integer.toString(from) : from + "-" + to;
  }
}
