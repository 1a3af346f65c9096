package io.launchworker.launch;

import io.launchworker.message.MessageAttributes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The idempotency token of one request, used as RunInstances {@code ClientToken} and as the
 * {@code launch-worker:token} tag, and where it came from.
 *
 * <p>A producer's {@code clientToken} is scoped by its sender: the token is derived from SQS's {@code SenderId} and
 * the {@code clientToken} ({@link #scoped}), so one producer's retries meet and two producers never share a token.
 */
public record Token(String value, Source source) {
  /** EC2 accepts client tokens of at most 64 ASCII characters. */
  public static final int MAX_LENGTH = 64;

  /** Where the token was taken from. */
  public enum Source {
    /**
     * The producer's own {@code clientToken}, scoped by the sender: survives producer retries that create new
     * messages, and only meets the same sender's.
     */
    BODY,
    /**
     * The {@code launch-worker-token} attribute the worker set when dead-lettering: survives a DLQ redrive, which gets
     * a new message ID and the SenderId of whoever redrove it.
     */
    ATTRIBUTE,
    /** The SQS message ID: stable across redeliveries of one message. */
    MESSAGE_ID
  }

  /**
   * The worker's attribute first (a DLQ redrive keeps the token it was dead-lettered with, whoever redrove it), then
   * the body's {@code clientToken} scoped by the sender ({@link #scoped}), then the message ID (digested when over 64
   * characters). The caller checks the attribute's signature before trusting it.
   *
   * @param senderId SQS's {@code SenderId} of this message; empty only where a queue does not set it
   */
  public static Token resolve(Optional<String> bodyToken, Optional<String> senderId, Map<String, String> attributes,
      String messageId) {
    String fromAttribute = attributes.get(MessageAttributes.TOKEN);
    if (fromAttribute != null && isValidToken(fromAttribute)) {
      return new Token(fromAttribute, Source.ATTRIBUTE);
    }
    if (bodyToken.isPresent()) {
      return new Token(scoped(senderId, bodyToken.get()), Source.BODY);
    }
    return new Token(fromMessageId(messageId), Source.MESSAGE_ID);
  }

  /** Starts every token scoped by its sender, so a reader of tags or the DLQ can tell what it is. */
  private static final String SCOPED_PREFIX = "ct-";

  /**
   * The token of a producer's {@code clientToken} sent by {@code senderId}: {@code ct-} plus the unpadded base64url
   * SHA-256 of the sender ID, a NUL and the client token (46 characters). SQS sets {@code SenderId} (the IAM user
   * or role session, or the account) and no producer can choose it, so two producers never derive the same token
   * from one {@code clientToken}, and one producer always derives the same one. A message without a SenderId (SQS
   * always sets it; a stand-in might not) is scoped by the empty sender, which all such messages share.
   */
  public static String scoped(Optional<String> senderId, String clientToken) {
    return SCOPED_PREFIX + base64Sha256(senderId.orElse("") + '\0' + clientToken);
  }

  /**
   * SQS documents message IDs of up to 100 characters; an ID over 64 becomes {@code sha256-} plus the
   * unpadded base64url SHA-256 of the ID (50 characters): the same ID always gives the same token.
   */
  public static String fromMessageId(String messageId) {
    return derive(messageId);
  }

  /**
   * A valid token from any text: the text itself when it is 1 to 64 printable ASCII characters, else
   * {@code sha256-} plus the unpadded base64url SHA-256 of its UTF-8 bytes (50 characters). Deterministic.
   */
  public static String derive(String value) {
    if (value.length() <= MAX_LENGTH && isValidToken(value)) {
      return value;
    }
    return "sha256-" + base64Sha256(value);
  }

  /**
   * The ClientToken of the shape at {@code position} of this request's walk ({@code LaunchShape.walk}): the token
   * itself for the first shape (so a request of one shape sends what it always did), else {@code s<n>-} plus the
   * unpadded base64url SHA-256 of the token, {@code n} the 1-based position: at most 48 characters, the same for
   * every attempt, and never equal to another shape's, so a new shape never meets IdempotentParameterMismatch.
   */
  public String forShape(int position) {
    if (position == 0) {
      return value;
    }
    return "s" + (position + 1) + "-" + base64Sha256(value);
  }

  private static String base64Sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** 1 to 64 printable ASCII characters, as EC2 accepts. */
  public static boolean isValidToken(String token) {
    if (token.isEmpty() || token.length() > MAX_LENGTH) {
      return false;
    }
    return token.chars().allMatch(c -> c >= 0x20 && c <= 0x7E);
  }
}
