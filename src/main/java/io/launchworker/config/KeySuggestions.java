package io.launchworker.config;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The known key an unknown one was probably meant to be: the same key under {@code launcher.}, the only key
 * with the same last part ({@code launcher.wait-time} → {@code launcher.sqs.wait-time}), or one a few typing
 * mistakes away. Stateless.
 */
final class KeySuggestions {
  private static final String PREFIX = "launcher.";
  /** Edits (insert, delete, replace, swap) still taken for a typo rather than another word. */
  private static final int MAX_EDITS = 3;

  private KeySuggestions() {}

  static Optional<String> closest(String unknown, Collection<String> known) {
    String key = unknown.startsWith(PREFIX) ? unknown : PREFIX + unknown;
    if (known.contains(key)) {
      return Optional.of(key);
    }
    String last = key.substring(key.lastIndexOf('.') + 1);
    List<String> sameLast = known.stream().filter(k -> k.endsWith("." + last)).toList();
    if (sameLast.size() == 1) {
      return Optional.of(sameLast.get(0));
    }
    String best = null;
    int bestEdits = Integer.MAX_VALUE;
    for (String candidate : known) {
      int edits = edits(key, candidate);
      if (edits < bestEdits) {
        best = candidate;
        bestEdits = edits;
      }
    }
    return bestEdits <= Math.min(MAX_EDITS, key.length() / 4) ? Optional.ofNullable(best) : Optional.empty();
  }

  /** Optimal string alignment distance: Levenshtein plus the swap of two neighbours, a common typo. */
  static int edits(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
