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

  /** What {@link #SIGNED_URL_PARAMETERS} needs before it can match (it matches ASCII case-insensitively). */
  private static final String SIGNED_URL_PREFIX = "x-amz-";

  private Secrets() {}

  /** Credentials in URLs masked; everything else unchanged (the same instance). */
  public static String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    // Every string value of every log line comes through here: most hold neither pattern's literal part, and
    // looking for that costs a scan instead of two regex matchers.
    String masked = text;
    int scheme = masked.indexOf("://");
    if (scheme >= 0 && masked.indexOf('@', scheme) >= 0) {
      masked = URL_CREDENTIALS.matcher(masked).replaceAll("$1" + MASK + "@");
    }
    if (containsIgnoreCase(masked, SIGNED_URL_PREFIX)) {
      masked = SIGNED_URL_PARAMETERS.matcher(masked).replaceAll("$1" + MASK);
    }
    return masked;
  }

  /** As {@link #mask}, and the values of configuration keys named like a secret (for printed configuration). */
  public static String maskConfiguration(String text) {
    return SECRET_KEYS.matcher(mask(text)).replaceAll("$1\"" + MASK + "\"");
  }

  /** Whether {@code text} holds {@code lowerAscii} in any letter case (a superset of the regex's ASCII-only match). */
  private static boolean containsIgnoreCase(String text, String lowerAscii) {
    for (int i = 0, last = text.length() - lowerAscii.length(); i <= last; i++) {
      if (text.regionMatches(true, i, lowerAscii, 0, lowerAscii.length())) {
        return true;
      }
    }
    return false;
  }
}
