package io.launchworker.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * What a terminal shows for a stream of text: a carriage return moves back to the start of the line and later
 * characters overwrite earlier ones. Trailing blanks are dropped, as a reader sees none.
 */
final class TerminalScreen {
  private TerminalScreen() {}

  static List<String> render(String output) {
    List<String> lines = new ArrayList<>();
    for (String raw : output.split("\n", -1)) {
      StringBuilder line = new StringBuilder();
      int column = 0;
      for (char c : raw.toCharArray()) {
        if (c == '\r') {
          column = 0;
        } else {
          if (column < line.length()) {
            line.setCharAt(column, c);
          } else {
            line.append(c);
          }
          column++;
        }
      }
      lines.add(line.toString().stripTrailing());
    }
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }
}
