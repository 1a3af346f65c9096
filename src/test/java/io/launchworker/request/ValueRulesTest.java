package io.launchworker.request;

import static io.launchworker.request.Bodies.json;
import static io.launchworker.request.Bodies.with;
import static io.launchworker.request.TagRulesTest.esc;
import static io.launchworker.request.TagRulesTest.reject;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** keyName, and every other free-text field, shares the tags' refusal of hidden characters. */
class ValueRulesTest {
  private static final String ALLOWED = "; allowed: no control, bidirectional-formatting or zero-width characters";

  @ParameterizedTest(name = "code point {0}")
  @MethodSource("io.launchworker.request.TagRulesTest#refused")
  void aKeyNameWithAHiddenCharacterIsAnInvalidValueNamingTheFieldTheCodePointAndItsPosition(int c) {
    Rejection r = reject(with("'keyName':'ops" + esc(c) + "-key'"));

    assertThat(r.reason()).isEqualTo("invalid_value");
    assertThat(r.message()).isEqualTo(String.format("keyName: contains U+%04X (%s) at position 3",
        c, SafeText.name(c)) + ALLOWED);
  }

  @Test
  void thePositionCountsCharactersSoAnEmojiBeforeTheMarkCountsOnce() {
    Rejection r = reject(with("'keyName':'\\ud83d\\ude80k\\u200fey'"));

    assertThat(r.message()).startsWith("keyName: contains U+200F (right-to-left mark) at position 2;");
  }

  @Test
  void aLookalikeInstanceTypeWithAZeroWidthSpaceIsRefusedForTheCharacterNotTheShape() {
    Rejection r = reject(with("'instanceType':'t3.micro\\u200b'"));

    assertThat(r.reason()).isEqualTo("invalid_value");
    assertThat(r.message()).isEqualTo("instanceType: contains U+200B (zero width space) at position 8" + ALLOWED);
  }

  @Test
  void aByteOrderMarkInFrontOfAnImageIdIsRefused() {
    Rejection r = reject(json("{'imageId':'\\ufeffami-0123456789abcdef0'}"));

    assertThat(r.message()).startsWith("imageId: contains U+FEFF (zero width no-break space) at position 0;");
  }

  @Test
  void keyNamesInAnyScriptAreStillAccepted() {
    ReadResult result = new RequestReader(LaunchPolicy.permissive()).read(with(
        "'keyName':'cl\u00e9-\u0645\u0641\u062a\u0627\u062d-\u9375'"));

    assertThat(result).isInstanceOf(ReadResult.Accepted.class);
    assertThat(((ReadResult.Accepted) result).request().keyName())
        .hasValue("cl\u00e9-\u0645\u0641\u062a\u0627\u062d-\u9375");
  }
}
