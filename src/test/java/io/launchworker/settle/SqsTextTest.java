package io.launchworker.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What SQS refuses is escaped visibly; what it accepts passes untouched; bounds count UTF-8 bytes. */
class SqsTextTest {
  private static final String BACKSLASH_U = "\\" + "u";

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "FFFF, 'x\uFFFFy'",
      "FFFE, 'x\uFFFEy'",
      "D800, 'x\uD800y'",
      "DC00, 'x\uDC00y'",
      "0000, 'x\u0000y'",
      "001F, 'x\u001Fy'"})
  void aCharacterSqsRefusesIsWrittenAsItsEscape(String hex, String text) {
    assertThat(SqsText.escape(text)).isEqualTo("x" + BACKSLASH_U + hex + "y");
  }

  @Test
  void aLowSurrogateBeforeAHighOneIsTwoLoneHalvesNotAPair() {
    assertThat(SqsText.escape("\uDC00\uD800")).isEqualTo(BACKSLASH_U + "DC00" + BACKSLASH_U + "D800");
  }

  @Test
  void textSqsAcceptsComesBackAsTheSameInstance() {
    String text = "tab\tnew line\ncarriage\rmax BMP \uFFFD, private \uE000, emoji \uD83D\uDE80, DEL \u007F";

    assertThat(SqsText.escape(text)).isSameAs(text);
  }

  @ParameterizedTest(name = "U+{0}")
  @CsvSource({"9, true", "A, true", "D, true", "20, true", "D7FF, true", "E000, true", "FFFD, true",
      "10000, true", "10FFFF, true", "0, false", "8, false", "B, false", "1F, false", "D800, false",
      "DFFF, false", "FFFE, false", "FFFF, false"})
  void theAllowedSetIsSqssOwn(String hex, boolean allowed) {
    assertThat(SqsText.allowed(Integer.parseInt(hex, 16))).isEqualTo(allowed);
  }

  @Test
  void boundedTextFitsItsBytesAndEndsWithTheCutMark() {
    String text = "é".repeat(100); // two bytes each

    String bounded = SqsText.bounded(text, 51);

    assertThat(bounded.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(51);
    assertThat(bounded).isEqualTo("é".repeat(24) + SqsText.CUT);
  }

  @Test
  void boundingNeverSplitsASurrogatePair() {
    String rockets = "\uD83D\uDE80".repeat(10); // four bytes each

    String bounded = SqsText.bounded(rockets, 13);

    assertThat(bounded).isEqualTo("\uD83D\uDE80\uD83D\uDE80" + SqsText.CUT);
    assertThat(SqsText.escape(bounded)).isSameAs(bounded);
  }

  @Test
  void boundingCountsTheEscapeNotTheCharacterItReplaces() {
    String bounded = SqsText.bounded("\uFFFF\uFFFF", 9);

    assertThat(bounded).isEqualTo(BACKSLASH_U + "FFFF" + SqsText.CUT);
  }

  @Test
  void textWithinItsBoundIsOnlyEscapedAndTooSmallABoundGivesNothing() {
    assertThat(SqsText.bounded("short", 5)).isEqualTo("short");
    assertThat(SqsText.bounded("longer", 2)).isEmpty();
    assertThat(SqsText.bounded("longer", -7)).isEmpty();
  }

  @Test
  void anAttributeCountsItsNameTypeAndValueInUtf8() {
    assertThat(SqsText.attributeBytes("launch-worker-reason", "é")).isEqualTo(20 + 6 + 2);
    assertThat(SqsText.utf8Length("a\uD83D\uDE80é")).isEqualTo(1 + 4 + 2);
  }
}
