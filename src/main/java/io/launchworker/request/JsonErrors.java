package io.launchworker.request;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Describes a JSON syntax error by where it is and what kind it is, never by what it contains: Jackson echoes the
 * offending token or character, which may be a piece of userData or a secret a producer meant to send.
 */
public final class JsonErrors {
  private JsonErrors() {}

  /** Jackson's first line with quoted snippets and character codes blanked, plus line and column. */
  public static String describe(JsonProcessingException e) {
    String message = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
    message = message.replaceAll("'[^']*'", "'…'").replaceAll("\"[^\"]*\"", "\"…\"")
        .replaceAll("\\(code \\d+\\)", "(code …)").replaceAll("\\(CTRL-CHAR, code \\d+\\)", "(control character)");
    if (message.length() > 160) {
      message = message.substring(0, 160) + "...";
    }
    var at = e.getLocation();
    return at == null ? message : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }
}
