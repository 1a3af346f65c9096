package io.launchworker.request;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BodyLimitsTest {
  private final RequestReader reader = new RequestReader(LaunchPolicy.permissive());

  private String reasonFor(String body) {
    ReadResult result = reader.read(body);
    return result instanceof ReadResult.Rejected ? ((ReadResult.Rejected) result).rejection().reason() : "accepted";
  }

  @Test
  void tenThousandNestedArraysAreMalformedNotAStackOverflow() {
    assertThat(reasonFor("[".repeat(10_000) + "]".repeat(10_000))).isEqualTo("malformed_json");
  }

  @Test
  void tenThousandNestedObjectsInsideAFieldAreMalformed() {
    String deep = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
    assertThat(reasonFor(Bodies.with("\"tags\":" + deep))).isEqualTo("malformed_json");
  }

  @Test
  void unclosedDeepNestingIsMalformed() {
    assertThat(reasonFor("{\"tags\":" + "[".repeat(100_000))).isEqualTo("malformed_json");
  }

  @Test
  void nestingMessageSaysTheDepthLimit() {
    ReadResult result = reader.read("[".repeat(10_000));
    assertThat(((ReadResult.Rejected) result).rejection().message()).contains("nesting depth");
  }

  @Test
  void bodyOneByteOver256KibibytesIsTooLarge() {
    assertThat(reasonFor(padded(262_145))).isEqualTo("body_too_large");
  }

  @Test
  void bodyOfExactly256KibibytesIsReadNormally() {
    assertThat(reasonFor(padded(262_144))).isEqualTo("accepted");
  }

  @Test
  void sizeIsCountedInUtf8BytesNotCharacters() {
    String tagValue = "é".repeat(200);
    String body = Bodies.with("\"tags\":{\"a\":\"" + tagValue + "\"}");
    int pad = 262_145 - (int) BodyParser.utf8Length(body);
    String tooLarge = body + " ".repeat(pad);

    assertThat(tooLarge.length()).isLessThan(262_145);
    assertThat(reasonFor(tooLarge)).isEqualTo("body_too_large");
  }

  @Test
  void utf8LengthCountsOneTwoThreeAndFourByteCharacters() {
    assertThat(BodyParser.utf8Length("a")).isEqualTo(1);
    assertThat(BodyParser.utf8Length("é")).isEqualTo(2);
    assertThat(BodyParser.utf8Length("€")).isEqualTo(3);
    assertThat(BodyParser.utf8Length("🚀")).isEqualTo(4);
    assertThat(BodyParser.utf8Length("\ud800")).isEqualTo(3);
  }

  @Test
  void hugeBodyIsRejectedBeforeParsing() {
    // Not JSON at all: only a size check that runs first can give this reason.
    assertThat(reasonFor("{".repeat(10_000_000))).isEqualTo("body_too_large");
  }

  /** A valid minimal body padded with trailing whitespace to exactly {@code bytes} bytes. */
  private static String padded(int bytes) {
    return Bodies.MINIMAL + " ".repeat(bytes - Bodies.MINIMAL.length());
  }
}
