package io.launchworker.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads one field of a JSON object as exactly one JSON type, with no coercion: a string {@code "2"} is not a
 * count, {@code 1.0} is not an integer, {@code null} is not "absent". Stateless.
 */
final class Fields {
  private Fields() {}

  /** Rejects the first field (in body order) whose name is not in {@code allowed}. */
  static void rejectUnknown(ObjectNode object, String path, List<String> allowed) {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        String hint = allowed.stream()
            .filter(name::equalsIgnoreCase)
            .map(known -> " (did you mean " + known + "?)")
            .findFirst()
            .orElse("");
        throw new InvalidRequestException(RejectReason.UNKNOWN_FIELD,
            Show.field(path, name) + ": unknown field" + hint + "; allowed in " + Show.where(path) + ": "
                + String.join(", ", allowed));
      }
    }
  }

  static Optional<String> string(ObjectNode object, String path, String name) {
    return Optional.ofNullable(object.get(name)).map(node -> string(node, Show.field(path, name)));
  }

  static String string(JsonNode node, String path) {
    if (!node.isTextual()) {
      throw wrongType(path, "a string", Show.describe(node));
    }
    return node.textValue();
  }

  /** A string field whose value must never appear in a message. */
  static Optional<String> secretString(ObjectNode object, String name) {
    JsonNode node = object.get(name);
    if (node != null && !node.isTextual()) {
      throw wrongType(name, "a string", Show.typeOf(node));
    }
    return Optional.ofNullable(node).map(JsonNode::textValue);
  }

  static OptionalInt integer(ObjectNode object, String path, String name) {
    JsonNode node = object.get(name);
    if (node == null) {
      return OptionalInt.empty();
    }
    if (node.isInt()) {
      return OptionalInt.of(node.intValue());
    }
    String expected = node.isIntegralNumber() ? "an integer within 32-bit range" : "an integer";
    throw wrongType(Show.field(path, name), expected, Show.describe(node));
  }

  static Optional<Boolean> bool(ObjectNode object, String path, String name) {
    JsonNode node = object.get(name);
    if (node != null && !node.isBoolean()) {
      throw wrongType(Show.field(path, name), "true or false", Show.describe(node));
    }
    return Optional.ofNullable(node).map(JsonNode::booleanValue);
  }

  static Optional<ObjectNode> object(ObjectNode object, String path, String name) {
    JsonNode node = object.get(name);
    if (node != null && !node.isObject()) {
      throw wrongType(Show.field(path, name), "an object", Show.describe(node));
    }
    return Optional.ofNullable((ObjectNode) node);
  }

  static Optional<ArrayNode> array(ObjectNode object, String path, String name) {
    JsonNode node = object.get(name);
    if (node != null && !node.isArray()) {
      throw wrongType(Show.field(path, name), "an array", Show.describe(node));
    }
    return Optional.ofNullable((ArrayNode) node);
  }

  private static InvalidRequestException wrongType(String path, String expected, String got) {
    return new InvalidRequestException(RejectReason.WRONG_TYPE,
        path + ": expected " + expected + ", got " + got);
  }
}
