package io.launchworker.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code /}: the status page, one self-contained HTML document (inline CSS, script and SVG chart) that polls
 * {@code /status.json}. Its Content-Security-Policy lets the browser fetch nothing but this server, so the page
 * works where the worker's network reaches nothing else. Other paths under {@code /} answer 404.
 *
 * <p>Thread-safe and immutable: the page is read from the jar once, at construction, which fails with an
 * {@link UncheckedIOException} if the resource is missing.
 */
final class StatusPage implements HttpHandler {
  static final String RESOURCE = "status.html";
  /** Only this server, inline code and data: URIs; nothing from anywhere else. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; connect-src 'self'; "
      + "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

  private final byte[] html;

  StatusPage() {
    try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("resource " + RESOURCE + " missing next to StatusPage"));
      }
      this.html = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!path.equals("/") && !path.equals("/index.html")) {
      AdminServer.respond(exchange, 404, "text/plain; charset=utf-8", "not found: " + path + "\n");
      return;
    }
    exchange.getResponseHeaders().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    AdminServer.respond(exchange, 200, "text/html; charset=utf-8", new String(html, StandardCharsets.UTF_8));
  }
}
