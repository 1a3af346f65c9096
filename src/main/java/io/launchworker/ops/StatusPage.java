package io.launchworker.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code /}: the status page, one self-contained HTML document (inline CSS, script and SVG chart) that polls
 * {@code /status.json}. Its Content-Security-Policy lets the browser fetch nothing but this server, so the page
 * works where the worker's network reaches nothing else.
 *
 * <p>Thread-safe and immutable: the page is read from the jar once, at construction, which fails with an
 * {@link UncheckedIOException} if the resource is missing.
 */
final class StatusPage {
  static final String RESOURCE = "status.html";
  /** Only this server, inline code and data: URIs; nothing from anywhere else. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; connect-src 'self'; "
      + "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

  private final String html;

  StatusPage() {
    try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("resource " + RESOURCE + " missing next to StatusPage"));
      }
      this.html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  Reply reply() {
    return new Reply(200, "text/html; charset=utf-8",
        Map.of("Content-Security-Policy", CONTENT_SECURITY_POLICY, "Cache-Control", "no-store"), html);
  }
}
