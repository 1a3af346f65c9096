package io.launchworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Values and field names in rejection messages never carry what they report. */
class ShowTest {
  @Test
  void quoteEscapesQuotesBackslashesAndEveryHiddenCharacter() {
    assertThat(Show.quote("a\"b\\c\u202Ed\u200Be\u0085f\uD800g\uFFFFh"))
        .isEqualTo("\"a\\\"b\\\\c\\u202Ed\\u200Be\\u0085f\\uD800g\\uFFFFh\"");
  }

  @Test
  void quoteKeepsOrdinaryTextOfAnyScriptAsItIs() {
    assertThat(Show.quote("caf\u00e9 \u0645\u0631\u062d\u0628\u0627 \uD83D\uDE80"))
        .isEqualTo("\"caf\u00e9 \u0645\u0631\u062d\u0628\u0627 \uD83D\uDE80\"");
  }

  @Test
  void aFieldNameWithAHiddenCharacterIsShownQuotedAndEscaped() {
    assertThat(Show.field("tags", "team\u200B")).isEqualTo("tags[\"team\\u200B\"]");
  }

  @Test
  void truncationCountsCharactersNotEscapes() {
    String quoted = Show.quote("\u202E".repeat(Show.MAX_SHOWN_CHARS + 1));

    assertThat(quoted).startsWith("\"" + "\\u202E".repeat(Show.MAX_SHOWN_CHARS) + "\"... (")
        .endsWith("(61 characters)");
  }
}
