package io.launchworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Allow-list globs: {@code *} any run, {@code ?} one character, all else literal, in linear-bounded time. */
class GlobTest {
  /** The classic pattern that makes a backtracking matcher try every way of splitting the run of a's. */
  private static final String PATHOLOGICAL = "a*a*a*a*a*a*a*a*b";
  private static final String TEN_THOUSAND_AS = "a".repeat(10_000);

  @ParameterizedTest(name = "\"{0}\" matches \"{1}\": {2}")
  @CsvSource(delimiter = '|', value = {
      "''          | ''         | true",
      "''          | a          | false",
      "*           | ''         | true",
      "**          | abc        | true",
      "?           | ''         | false",
      "?           | \uD83D\uDE80 | true",
      "??          | \uD83D\uDE80 | false",
      "a*          | a          | true",
      "*a          | ba         | true",
      "*a          | ab         | false",
      "a*b*c       | aXbYbZc    | true",
      "a*b*c       | aXcYb      | false",
      "*ab*ab*c    | xabyababzc | true",
      "*aab        | aaaab      | true",
      "a?c*        | abcdef     | true",
      "t3.*        | t3.micro   | true",
      "t3.*        | t3xmicro   | false",
      "m5.?large   | m5.xlarge  | true",
      "*           | *          | true",
      "a\\b        | a\\b       | true",
      "(a+)+$      | aaaa       | false",
      "[ab]*       | a          | false",
      "[ab]*       | [ab]xyz    | true",
  })
  void matchesLiterallyExceptStarAndQuestionMark(String glob, String value, boolean matches) {
    assertThat(new Glob(glob).matches(value)).isEqualTo(matches);
  }

  @Test
  void agreesWithAStraightforwardRecursiveDefinitionOnEveryShortPatternAndValue() {
    List<String> patterns = words("ab*?", 5);
    List<String> values = words("ab", 6);
    for (String pattern : patterns) {
      Glob glob = new Glob(pattern);
      for (String value : values) {
        assertThat(glob.matches(value)).as("\"%s\" against \"%s\"", pattern, value)
            .isEqualTo(reference(pattern, 0, value, 0));
      }
    }
  }

  @Test
  void thePathologicalPatternTakesStepsLinearInTheValueNotExponential() {
    Glob glob = new Glob(PATHOLOGICAL);

    assertThat(glob.matches(TEN_THOUSAND_AS)).isFalse();
    // Each character of the value is passed over at most twice once the last '*' is reached.
    assertThat(glob.steps(TEN_THOUSAND_AS)).isLessThanOrEqualTo(2L * (10_000 + PATHOLOGICAL.length()));
  }

  @Test
  void anyPatternTakesAtMostValueTimesPatternSteps() {
    String value = "ab".repeat(300) + "a".repeat(300);
    for (String pattern : List.of("*a*b*a*b*a*b*c", "*?*?*?*?*x", "*ba*ab*bb*", "?*?*?*?*?*?*?*?*?*c",
        "*" + "ab".repeat(40) + "*c")) {
      long bound = (value.length() + 1L) * (pattern.length() + 1L);

      assertThat(new Glob(pattern).steps(value)).as(pattern).isLessThanOrEqualTo(bound);
    }
  }

  /** The only timing bound: a backtracking matcher would need of the order of 10,000^8 steps here. */
  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void thePathologicalPatternAgainstTenThousandAsFinishes() {
    Glob glob = new Glob(PATHOLOGICAL);

    assertThat(glob.matches(TEN_THOUSAND_AS)).isFalse();
    assertThat(glob.matches(TEN_THOUSAND_AS + "b")).isTrue();
  }

  /** The definition itself: exponential, so only for short inputs. */
  private static boolean reference(String p, int i, String v, int j) {
    if (i == p.length()) {
      return j == v.length();
    }
    char c = p.charAt(i);
    if (c == '*') {
      return reference(p, i + 1, v, j) || (j < v.length() && reference(p, i, v, j + 1));
    }
    return j < v.length() && (c == '?' || c == v.charAt(j)) && reference(p, i + 1, v, j + 1);
  }

  /** Every word of length 0 to {@code max} over the alphabet. */
  private static List<String> words(String alphabet, int max) {
    List<String> all = new ArrayList<>(List.of(""));
    List<String> last = List.of("");
    for (int n = 1; n <= max; n++) {
      List<String> next = new ArrayList<>();
      for (String w : last) {
        for (char c : alphabet.toCharArray()) {
          next.add(w + c);
        }
      }
      all.addAll(next);
      last = next;
    }
    return all;
  }
}
