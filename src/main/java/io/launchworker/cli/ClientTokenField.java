package io.launchworker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

/**
 * {@code --client-token-from FIELD}: the request field a line's idempotency token is derived from, so that
 * sending the same file twice cannot launch twice. {@code FIELD} is a top-level field ({@code requestId}) or
 * one level down ({@code tags.job}: everything after the first dot is the key, dots included). Immutable.
 */
record ClientTokenField(String parent, String name) {
  /** EC2's ClientToken limit. */
  static final int MAX_TOKEN_CHARS = 64;

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
    if (value.length() <= MAX_TOKEN_CHARS && value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
      return value;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return parent.isEmpty() ? name : parent + "." + name;
  }
}
