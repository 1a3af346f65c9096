package io.launchworker.request;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;

/**
 * Renders paths and offending values for rejection messages: short, quoted, and with every character
 * {@link SafeText#mustEscape} written as {@code \}{@code uXXXX}, so a message never carries what it reports.
 */
final class Show {
  /** Long enough to recognise a value, short enough for a DLQ attribute or a log line. */
  static final int MAX_SHOWN_CHARS = 60;
  /** Compiled once: every field of every request body passes here while it is parsed. */
  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

  private Show() {}

  /** {@code parent.name}, or {@code parent["odd name"]} when the name is not a plain identifier. */
  static String field(String parent, String name) {
    if (PLAIN_NAME.matcher(name).matches()) {
      return parent.isEmpty() ? name : parent + "." + name;
    }
    return (parent.isEmpty() ? "" : parent) + "[" + quote(name) + "]";
  }

  static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }

  /** The path for messages about the whole body. */
  static String where(String path) {
    return path.isEmpty() ? "body" : path;
  }

  /**
   * A value in double quotes, truncated, with quotes and backslashes escaped and every character a reader must
   * not see raw ({@link SafeText#mustEscape}) written as {@code \}{@code uXXXX}.
   */
  static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    int shown = 0;
    for (int i = 0; i < value.length(); i = value.offsetByCodePoints(i, 1)) {
      if (shown == MAX_SHOWN_CHARS) {
        out.append("\"... (").append(value.codePointCount(0, value.length())).append(" characters)");
        return out.toString();
      }
      int c = value.codePointAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').appendCodePoint(c);
      } else {
        SafeText.appendEscaped(out, c);
      }
      shown++;
    }
    return out.append('"').toString();
  }

  /** A JSON value with its type: {@code string "2"}, {@code number 1.5}, {@code null}, {@code an array}. */
  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "string " + quote(node.textValue());
    }
    if (node.isNumber()) {
      return "number " + node.asText();
    }
    if (node.isBoolean()) {
      return "boolean " + node.asText();
    }
    return typeOf(node);
  }

  /** The JSON type alone, for values that must never be shown (userData). */
  static String typeOf(JsonNode node) {
    if (node.isNull()) {
      return "null";
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isObject()) {
      return "an object";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    return "a boolean";
  }
}
