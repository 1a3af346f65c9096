package io.launchworker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * {@code --client-token-from FIELD}: the request field a line's idempotency token is derived from, so that
 * sending the same file twice cannot launch twice. {@code FIELD} is a top-level field ({@code requestId}) or
 * one level down ({@code tags.job}: everything after the first dot is the key, dots included). Immutable.
 */
record ClientTokenField(String parent, String name) {
  static ClientTokenField parse(String field) {
    int dot = field.indexOf('.');
    if (field.isEmpty() || dot == 0 || dot == field.length() - 1) {
      throw new IllegalArgumentException("--client-token-from: \"" + field
          + "\" is not a field; allowed: a field such as requestId or tags.job");
    }
    return dot < 0 ? new ClientTokenField("", field) : new ClientTokenField(field.substring(0, dot),
        field.substring(dot + 1));
  }

  /** The field's value as text (a string, or an integer written as digits), empty when the body lacks it. */
  Optional<String> valueIn(ObjectNode body) {
    JsonNode holder = parent.isEmpty() ? body : body.get(parent);
    if (holder == null || !holder.isObject()) {
      return Optional.empty();
    }
    JsonNode value = holder.get(name);
    if (value != null && (value.isTextual() || value.isIntegralNumber()) && !value.asText().isEmpty()) {
      return Optional.of(value.asText());
    }
    return Optional.empty();
  }

  /**
   * The value itself when it is a valid token (1 to 64 printable ASCII), else {@code sha256-} plus the
   * unpadded base64url SHA-256 of its UTF-8 bytes (50 characters): the same value always gives the same token.
   */
  static String token(String value) {
    return io.launchworker.launch.Token.derive(value);
  }

  @Override
  public String toString() {
    return parent.isEmpty() ? name : parent + "." + name;
  }
}
