package io.launchworker.request;

/**
 * A configured allow-list pattern: {@code *} any run of characters (also none), {@code ?} exactly one
 * character (code point), all else literal; there is no escape. Matched by a two-pointer scan that remembers only
 * the last {@code *}, never by a regex: a value of n characters against a pattern of m costs at most about
 * (n + 1)·(m + 1) steps, so a pattern such as {@code a*a*a*a*b} cannot make matching exponential.
 * Immutable and thread-safe.
 */
final class Glob {
  private static final int ANY_RUN = '*';
  private static final int ANY_ONE = '?';

  private final String glob;
  private final int[] pattern;

  Glob(String glob) {
    this.glob = glob;
    this.pattern = glob.codePoints().toArray();
  }

  boolean matches(String value) {
    return scan(value.codePoints().toArray()).matched();
  }

  /** How many steps matching {@code value} takes: for tests that hold the scan to its bound. */
  long steps(String value) {
    return scan(value.codePoints().toArray()).steps();
  }

  @Override
  public String toString() {
    return glob;
  }

  private record Scan(boolean matched, long steps) {}

  /**
   * Advances through the value one character at a time. On a mismatch after a {@code *}, the {@code *} takes one
   * more character and the pattern resumes just after it; an earlier {@code *} never needs revisiting, because
   * the later one can absorb anything the earlier one could have.
   */
  private Scan scan(int[] value) {
    int p = 0;
    int v = 0;
    int star = -1; // pattern index of the last '*' seen, -1 before any
    int resume = 0; // value index that '*' has absorbed up to
    long steps = 0;
    while (v < value.length) {
      steps++;
      if (p < pattern.length && pattern[p] == ANY_RUN) {
        star = p++;
        resume = v;
      } else if (p < pattern.length && (pattern[p] == ANY_ONE || pattern[p] == value[v])) {
        p++;
        v++;
      } else if (star >= 0) {
        p = star + 1;
        v = ++resume;
      } else {
        return new Scan(false, steps);
      }
    }
    while (p < pattern.length && pattern[p] == ANY_RUN) {
      steps++;
      p++;
    }
    return new Scan(p == pattern.length, steps);
  }
}
