package io.launchworker.request;

import static io.launchworker.request.Bodies.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Tag keys and values may not hide or reorder text; the refusal names tag and code point, never shows it. */
class TagRulesTest {
  private static final String ALLOWED = "; allowed: no control, bidirectional-formatting or zero-width characters";

  static IntStream refused() {
    return IntStream.of(SafeTextTest.REFUSED);
  }

  /** The JSON escape of a code point, so the body file itself stays plain ASCII. */
  static String esc(int c) {
    return "\\u" + String.format("%04x", c);
  }

  @ParameterizedTest(name = "code point {0}")
  @MethodSource("refused")
  void aTagValueWithAHiddenCharacterIsAnInvalidTagNamingTheTagTheCodePointAndItsPosition(int c) {
    Rejection r = reject(with("'tags':{'team':'web','x':'abc" + esc(c) + "d'}"));

    assertThat(r.reason()).isEqualTo("invalid_tag");
    assertThat(r.message()).isEqualTo(String.format("tags.x: value contains U+%04X (%s) at position 3",
        c, SafeText.name(c)) + ALLOWED);
  }

  @ParameterizedTest(name = "code point {0}")
  @MethodSource("refused")
  void aTagKeyWithAHiddenCharacterIsAnInvalidTagWhosePathShowsItEscaped(int c) {
    Rejection r = reject(with("'tags':{'a" + esc(c) + "b':'v'}"));

    assertThat(r.reason()).isEqualTo("invalid_tag");
    String hex = String.format("%04X", c);
    assertThat(r.message()).isEqualTo("tags[\"a\\u" + hex + "b\"]: key contains U+" + hex + " ("
        + SafeText.name(c) + ") at position 1" + ALLOWED);
    assertThat(r.message().codePoints().filter(SafeText::mustEscape)).as("no raw hidden character").isEmpty();
  }

  @Test
  void aRawRightToLeftOverrideInTheBodyIsRefusedLikeItsEscape() {
    Rejection raw = reject(with("'tags':{'x':'abc\u202Ed'}"));
    Rejection escaped = reject(with("'tags':{'x':'abc\\u202Ed'}"));

    assertThat(raw).isEqualTo(escaped);
    assertThat(raw.message()).startsWith("tags.x: value contains U+202E (right-to-left override) at position 3");
  }

  @Test
  void aZeroWidthSpaceCannotMakeTheWorkersOwnTagKeyLookUnreserved() {
    Rejection r = reject(with("'tags':{'launch-worker\\u200b:token':'stolen'}"));

    assertThat(r.reason()).isEqualTo("invalid_tag");
    assertThat(r.message()).contains("U+200B (zero width space) at position 13");
  }

  @Test
  void tagsInAnyScriptAndWithEmojiAreStillAccepted() {
    ReadResult result = new RequestReader(LaunchPolicy.permissive()).read(with(
        "'tags':{'name':'\u65e5\u672c\u8a9e caf\u00e9 \u0645\u0631\u062d\u0628\u0627 \uD83D\uDE80',"
            + "'\u05e9\u05dd':'Zo\u00eb'}"));

    assertThat(result).isInstanceOf(ReadResult.Accepted.class);
    assertThat(((ReadResult.Accepted) result).request().tags())
        .containsEntry("name", "\u65e5\u672c\u8a9e caf\u00e9 \u0645\u0631\u062d\u0628\u0627 \uD83D\uDE80")
        .containsEntry("\u05e9\u05dd", "Zo\u00eb");
  }

  static Rejection reject(String body) {
    ReadResult result = new RequestReader(LaunchPolicy.permissive()).read(body);
    assertThat(result).as(body).isInstanceOf(ReadResult.Rejected.class);
    return ((ReadResult.Rejected) result).rejection();
  }
}
