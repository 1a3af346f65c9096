package io.launchworker.settle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks the {@code launch-worker-token} attribute. Only the worker writes that attribute (when it
 * dead-letters a message, so a redrive, which gets a new message ID, resumes under its token); a producer who set it
 * could otherwise borrow another request's token and be told that request's instances. The signature is an
 * HMAC-SHA256 over the token and the body's SHA-256: it cannot be moved to another body, and a copy of the same body
 * only ever resumes the same request. Keys: the current one signs; the current and the previous one verify, so a
 * key rotation does not strand messages already in the DLQ. Immutable and thread-safe.
 */
public final class TokenSignature {
  private static final String ALGORITHM = "HmacSHA256";
  private static final TokenSignature NONE = new TokenSignature(List.of());

  /** The current key first. */
  private final List<SecretKeySpec> keys;

  private TokenSignature(List<SecretKeySpec> keys) {
    this.keys = keys;
  }

  /** Without keys nothing is signed and every attribute is honoured as it is. */
  public static TokenSignature none() {
    return NONE;
  }

  public static TokenSignature of(Optional<String> current, Optional<String> previous) {
    List<SecretKeySpec> keys = new ArrayList<>();
    current.ifPresent(k -> keys.add(new SecretKeySpec(k.getBytes(StandardCharsets.UTF_8), ALGORITHM)));
    previous.ifPresent(k -> keys.add(new SecretKeySpec(k.getBytes(StandardCharsets.UTF_8), ALGORITHM)));
    return keys.isEmpty() ? NONE : new TokenSignature(List.copyOf(keys));
  }

  public boolean enabled() {
    return !keys.isEmpty();
  }

  /** The signature to write beside {@code token} for a message with {@code body}; empty without a key. */
  public Optional<String> sign(String token, String body) {
    return keys.isEmpty() ? Optional.empty() : Optional.of(mac(keys.get(0), token, body));
  }

  /** Whether {@code signature} was made by the current or the previous key for this token and body. */
  public boolean verifies(String token, String body, Optional<String> signature) {
    if (signature.isEmpty()) {
      return false;
    }
    byte[] given = signature.get().getBytes(StandardCharsets.US_ASCII);
    for (SecretKeySpec key : keys) {
      if (MessageDigest.isEqual(given, mac(key, token, body).getBytes(StandardCharsets.US_ASCII))) {
        return true;
      }
    }
    return false;
  }

  private static String mac(SecretKeySpec key, String token, String body) {
    try {
      byte[] bodyDigest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update("launch-worker-token-v1\n".getBytes(StandardCharsets.US_ASCII));
      mac.update(token.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) '\n');
      mac.update(bodyDigest);
      return "v1:" + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime has HmacSHA256 and SHA-256", e);
    }
  }
}
