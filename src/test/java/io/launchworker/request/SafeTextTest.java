package io.launchworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What request text may not contain, and what a log line or the status page never shows raw. */
class SafeTextTest {
  /** One of each family: C0 edges, DEL, C1 edges, bidi embeddings, overrides, isolates, marks, zero-width. */
  static final int[] REFUSED = {
      0x00, 0x09, 0x0A, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9F, 0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F,
      0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF};

  @Test
  void everyBidiZeroWidthAndControlCharacterIsRefusedInRequestText() {
    assertThat(IntStream.of(REFUSED)).allSatisfy(c -> assertThat(SafeText.refused(c)).as("U+%04X", c).isTrue());
  }

  @ParameterizedTest
  @ValueSource(ints = {0x20, 0x7E, 0xA0, 0xA9, 0x00E9, 0x0627, 0x05D0, 0x4E2D, 0x2010, 0x2028, 0x206A, 0xFFFD,
      0x1F680})
  void ordinaryCharactersOfAnyScriptAreAllowedInRequestText(int c) {
    assertThat(SafeText.refused(c)).as("U+%04X", c).isFalse();
  }

  @Test
  void everyRefusedCharacterIsAlsoEscapedForReaders() {
    assertThat(IntStream.rangeClosed(0, Character.MAX_CODE_POINT)
        .filter(SafeText::refused)
        .filter(c -> !SafeText.mustEscape(c)))
        .isEmpty();
  }

  @Test
  void escapeWritesEachHiddenCharacterAsAnUppercaseUnicodeEscape() {
    assertThat(SafeText.escape("a\u202Eb\u200Bc\u0085d\u001Be\uFEFFf"))
        .isEqualTo("a\\u202Eb\\u200Bc\\u0085d\\u001Be\\uFEFFf");
  }

  @Test
  void escapeAlsoCoversNoncharactersLoneSurrogatesAndLineSeparators() {
    assertThat(SafeText.escape("x\uFFFEy\uFFFFz")).isEqualTo("x\\uFFFEy\\uFFFFz");
    assertThat(SafeText.escape("hi\uD800")).isEqualTo("hi\\uD800");
    assertThat(SafeText.escape("\uDC00lo")).isEqualTo("\\uDC00lo");
    assertThat(SafeText.escape("\uDE80\uD83D")).as("low then high: two lone halves, no pair")
        .isEqualTo("\\uDE80\\uD83D");
    assertThat(SafeText.escape("one\u2028two\u2029three")).isEqualTo("one\\u2028two\\u2029three");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ami-0123456789abcdef0", "caf\u00e9 \u4e2d\u6587 \u0645\u0631\u062d\u0628\u0627",
      "rocket \uD83D\uDE80", "back\\slash \"quoted\"", "sha256-AbC_-09"})
  void textWithNothingHiddenComesBackAsTheSameInstance(String text) {
    assertThat(SafeText.escape(text)).isSameAs(text);
  }

  @Test
  void escapedTextNeverContainsACharacterThatMustBeEscaped() {
    StringBuilder everything = new StringBuilder();
    IntStream.rangeClosed(0, 0x3000).forEach(everything::appendCodePoint);
    everything.append("\uD800\uDBFF\uDC00\uFEFF\uFFFE\uFFFF");

    String escaped = SafeText.escape(everything.toString());

    assertThat(escaped.codePoints().filter(SafeText::mustEscape)).isEmpty();
    assertThat(SafeText.escape(escaped)).as("escaping is idempotent").isSameAs(escaped);
  }

  @Test
  void nullStaysNull() {
    assertThat(SafeText.escape(null)).isNull();
  }

  @Test
  void refusalNamesTheCodePointAndCountsThePositionInCharactersFromZero() {
    String value = "\uD83D\uDE80ab\u202Ec";
    int at = SafeText.firstRefused(value);

    assertThat(SafeText.refusal(value, at)).isEqualTo("contains U+202E (right-to-left override) at position 3");
  }

  @Test
  void refusalNamesControlCharactersByTheirBlock() {
    assertThat(SafeText.refusal("a\u0007", 1)).isEqualTo("contains U+0007 (control character) at position 1");
    assertThat(SafeText.refusal("\u0085", 0)).isEqualTo("contains U+0085 (C1 control character) at position 0");
    assertThat(SafeText.refusal("\u2066", 0)).isEqualTo("contains U+2066 (left-to-right isolate) at position 0");
  }

  @Test
  void firstRefusedIsMinusOneForCleanText() {
    assertThat(SafeText.firstRefused("ops-key \uD83D\uDE80")).isEqualTo(-1);
  }
}
