package io.launchworker.ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One whole answer of the admin server: status, content type ({@code ""} for none), headers of its own and the
 * body. The endpoints build these without knowing the HTTP server; {@link AdminHandler} writes them. Immutable.
 */
record Reply(int status, String contentType, Map<String, String> headers, String body) {
  static final String PLAIN_TEXT = "text/plain; charset=utf-8";

  Reply {
    headers = Map.copyOf(headers);
  }

  static Reply of(int status, String contentType, String body) {
    return new Reply(status, contentType, Map.of(), body);
  }

  static Reply text(int status, String body) {
    return of(status, PLAIN_TEXT, body);
  }

  /** A status line and headers with no body at all: nothing a refused client could read. */
  static Reply empty(int status) {
    return of(status, "", "");
  }

  Reply withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new Reply(status, contentType, more, body);
  }
}
