package io.launchworker.ops;

import java.util.regex.Pattern;

/**
 * Masks credentials that can ride in text the worker prints: {@code user:password@} in URLs, the query parameters
 * of pre-signed AWS URLs ({@code X-Amz-Security-Token}, {@code X-Amz-Signature}, {@code X-Amz-Credential}), and,
 * in printed configuration, the values of keys named like a secret. Used by every log line (both formats), by
 * {@code check-config} and by the command line's error messages. Stateless and thread-safe.
 */
public final class Secrets {
  private static final String MASK = "****";
  private static final Pattern URL_CREDENTIALS = Pattern.compile("(://)[^/@\\s\"'<>]+@");
  private static final Pattern SIGNED_URL_PARAMETERS =
      Pattern.compile("(?i)(X-Amz-(?:Security-Token|Signature|Credential)=)[^&\\s\"'<>]+");
  private static final Pattern SECRET_KEYS =
      Pattern.compile("(?im)^(\\s*\"?[\\w.-]*(secret|password|token-key|session-token)[\\w.-]*\"?\\s*[=:]\\s*)"
          + "(\"[^\"]*\"|\\S+)");

  private Secrets() {}

  /** Credentials in URLs masked; everything else unchanged. */
  public static String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String masked = URL_CREDENTIALS.matcher(text).replaceAll("$1" + MASK + "@");
    return SIGNED_URL_PARAMETERS.matcher(masked).replaceAll("$1" + MASK);
  }

  /** As {@link #mask}, and the values of configuration keys named like a secret (for printed configuration). */
  public static String maskConfiguration(String text) {
    return SECRET_KEYS.matcher(mask(text)).replaceAll("$1\"" + MASK + "\"");
  }
}
