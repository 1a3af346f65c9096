package io.launchworker.cli;

import java.util.regex.Pattern;

/** Masks credentials that could appear in printed configuration (e.g. user:password@ in endpoint URLs). */
final class Secrets {
  private static final Pattern URL_CREDENTIALS = Pattern.compile("(://)[^/@\\s\"]+@");
  private static final Pattern SECRET_KEYS =
      Pattern.compile("(?im)^(\\s*\"?[\\w-]*(secret|password|token)[\\w-]*\"?\\s*[=:]\\s*)(\"[^\"]*\"|\\S+)");

  private Secrets() {}

  static String mask(String text) {
    String masked = URL_CREDENTIALS.matcher(text).replaceAll("$1****@");
    return SECRET_KEYS.matcher(masked).replaceAll("$1\"****\"");
  }
}
