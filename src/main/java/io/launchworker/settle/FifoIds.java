package io.launchworker.settle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Group and de-duplication IDs for FIFO sends: at most 128 characters of SQS's allowed set. */
final class FifoIds {
  private static final int MAX = 128;

  private FifoIds() {}

  static String sanitize(String value) {
    String cleaned = value.replaceAll("[^A-Za-z0-9!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]", "_");
    if (cleaned.length() <= MAX) {
      return cleaned;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
