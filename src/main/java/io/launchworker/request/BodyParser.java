package io.launchworker.request;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns a body into a JSON object tree, or rejects it: too large, malformed, nested too deep, duplicate keys,
 * trailing tokens, not an object. Builds the tree itself (rather than through an ObjectMapper) so a duplicate key
 * is reported with its full path. Thread-safe: the factory is immutable once built.
 */
final class BodyParser {
  /** The largest SQS message body. */
  static final int MAX_BODY_BYTES = 262_144;
  /** The schema needs 3 levels; deep input fails in the tokenizer, long before the stack could run out. */
  static final int MAX_NESTING_DEPTH = 32;
  /** No field takes a number longer than an int; refuse to parse huge numerals at all. */
  private static final int MAX_NUMBER_LENGTH = 100;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonFactory factory = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_NESTING_DEPTH)
          .maxNumberLength(MAX_NUMBER_LENGTH)
          .build())
      .build();

  ObjectNode parse(String body) {
    if (body == null) {
      throw new InvalidRequestException(RejectReason.MALFORMED_JSON, "body: missing; allowed: a JSON object");
    }
    long bytes = utf8Length(body);
    if (bytes > MAX_BODY_BYTES) {
      throw new InvalidRequestException(RejectReason.BODY_TOO_LARGE,
          "body: " + bytes + " bytes; allowed: at most " + MAX_BODY_BYTES + " bytes (UTF-8)");
    }
    if (body.isBlank()) {
      throw new InvalidRequestException(RejectReason.MALFORMED_JSON, "body: empty; allowed: a JSON object");
    }
    JsonNode root;
    try (JsonParser parser = factory.createParser(body)) {
      root = value(parser, parser.nextToken(), "");
      if (parser.nextToken() != null) {
        throw malformed("unexpected content after the end of the JSON value", parser);
      }
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(RejectReason.MALFORMED_JSON, "body: not valid JSON: " + summary(e));
    } catch (IOException e) {
      throw new UncheckedIOException("reading from a String failed", e);
    }
    if (!root.isObject()) {
      throw new InvalidRequestException(RejectReason.NOT_AN_OBJECT,
          "body: top-level value is " + Show.typeOf(root) + "; allowed: a JSON object");
    }
    return (ObjectNode) root;
  }

  private static JsonNode value(JsonParser p, JsonToken token, String path) throws IOException {
    if (token == null) {
      throw malformed("unexpected end of input", p);
    }
    switch (token) {
      case START_OBJECT:
        return object(p, path);
      case START_ARRAY:
        return array(p, path);
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        switch (p.getNumberType()) {
          case INT:
            return NODES.numberNode(p.getIntValue());
          case LONG:
            return NODES.numberNode(p.getLongValue());
          default:
            return NODES.numberNode(p.getBigIntegerValue());
        }
      case VALUE_NUMBER_FLOAT:
        // Every float is rejected later; the exact value only matters for the message.
        return NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw malformed("unexpected token " + token, p);
    }
  }

  private static ObjectNode object(JsonParser p, String path) throws IOException {
    ObjectNode node = NODES.objectNode();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      if (t != JsonToken.FIELD_NAME) {
        throw malformed("expected a field name", p);
      }
      String name = p.currentName();
      String child = Show.field(path, name);
      if (node.has(name)) {
        throw new InvalidRequestException(RejectReason.DUPLICATE_FIELD,
            child + ": field appears more than once; allowed: each field once");
      }
      node.set(name, value(p, p.nextToken(), child));
    }
    return node;
  }

  private static ArrayNode array(JsonParser p, String path) throws IOException {
    ArrayNode node = NODES.arrayNode();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      node.add(value(p, t, Show.index(path, node.size())));
    }
    return node;
  }

  private static JsonProcessingException malformed(String what, JsonParser p) {
    return new JsonParseException(p, what);
  }

  private static String summary(JsonProcessingException e) {
    return JsonErrors.describe(e);
  }

  /** UTF-8 size without encoding; a lone surrogate counts as the 3 bytes of a replacement character. */
  static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
