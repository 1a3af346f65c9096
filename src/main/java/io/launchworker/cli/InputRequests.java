package io.launchworker.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits the text of an {@code enqueue} input into request bodies, each with the line it starts on. Three
 * shapes: a JSON array of requests, one JSON object (possibly over several lines), or JSON lines (one request
 * per line, blank lines skipped). Bodies are cut from the text as written, not re-serialized, so the worker's
 * validator later sees exactly what will be sent (a repeated key included). Stateless.
 */
final class InputRequests {
  /** One request body and the 1-based line of the input it starts on. */
  record Line(int number, String body) {}

  /** The input could not be split at all (a broken JSON array): nothing from it should be sent. */
  static final class UnreadableInput extends Exception {
    private static final long serialVersionUID = 1L;
    final int line;

    UnreadableInput(int line, String message) {
      super(message);
      this.line = line;
    }
  }

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private InputRequests() {}

  /**
   * @param linesHint the input is named {@code *.jsonl} or {@code *.ndjson}: read it as JSON lines without
   *     trying the other shapes
   */
  static List<Line> split(String text, boolean linesHint) throws UnreadableInput {
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String trimmed = text.stripLeading();
    if (!linesHint && trimmed.startsWith("[")) {
      return array(text);
    }
    if (!linesHint && text.strip().lines().count() > 1) {
      Optional<Line> single = singleObject(text);
      if (single.isPresent()) {
        return List.of(single.get());
      }
    }
    return lines(text);
  }

  private static List<Line> lines(String text) {
    List<Line> result = new ArrayList<>();
    int number = 0;
    for (String line : (Iterable<String>) text.lines()::iterator) {
      number++;
      if (!line.isBlank()) {
        result.add(new Line(number, line.strip()));
      }
    }
    return result;
  }

  /** The whole text as one object when it parses as exactly one; otherwise it is JSON lines. */
  private static Optional<Line> singleObject(String text) {
    try {
      JsonNode node = STRICT.readTree(text);
      if (node != null && node.isObject()) {
        int line = 1 + (int) text.substring(0, text.indexOf('{')).chars().filter(c -> c == '\n').count();
        return Optional.of(new Line(line, text.strip()));
      }
      return Optional.empty();
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  private static List<Line> array(String text) throws UnreadableInput {
    List<Line> result = new ArrayList<>();
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw new UnreadableInput(1, "expected a JSON array");
      }
      for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
        if (token == null) {
          throw new UnreadableInput(parser.currentLocation().getLineNr(), "the JSON array is not closed");
        }
        JsonLocation start = parser.currentTokenLocation();
        parser.skipChildren();
        parser.finishToken();
        int end = (int) parser.currentLocation().getCharOffset();
        result.add(new Line(start.getLineNr(), text.substring((int) start.getCharOffset(), end)));
      }
      if (parser.nextToken() != null) {
        throw new UnreadableInput(parser.currentTokenLocation().getLineNr(),
            "unexpected content after the end of the JSON array");
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      // Never the offending text: it is a request body, which may carry userData or a secret.
      throw new UnreadableInput(at == null ? 1 : at.getLineNr(), "not a valid JSON array: "
          + io.launchworker.request.JsonErrors.describe(e));
    } catch (IOException e) {
      throw new UncheckedIOException("reading from a String failed", e);
    }
    return result;
  }
}
