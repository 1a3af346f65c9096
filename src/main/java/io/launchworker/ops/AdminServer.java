package io.launchworker.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin HTTP server: {@code /metrics} (Prometheus text), {@code /health/live} and {@code /health/ready}
 * (JSON saying why), the status page at {@code /} and its data at {@code /status.json}. Runs on its own two
 * daemon threads; {@link #close()} stops it.
 */
public final class AdminServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private AdminServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving.
   *
   * @param notReadyBecause empty when ready, else the reason
   * @param recent the decisions the status page shows
   */
  public static AdminServer start(String host, int port, PrometheusMeterRegistry registry,
      Supplier<Optional<String>> notReadyBecause, RecentOutcomes recent) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "admin-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/metrics", exchange -> respond(exchange, 200,
        "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/health/live", exchange -> respond(exchange, 200, "application/json",
        "{\"status\":\"UP\"}"));
    server.createContext("/health/ready", exchange -> {
      Optional<String> why = notReadyBecause.get();
      if (why.isEmpty()) {
        respond(exchange, 200, "application/json", "{\"status\":\"UP\"}");
      } else {
        respond(exchange, 503, "application/json", "{\"status\":\"DOWN\",\"reason\":" + Json.quote(why.get()) + "}");
      }
    });
    server.createContext("/", new StatusPage());
    server.createContext("/status.json", new StatusJson(registry, recent));
    server.start();
    return new AdminServer(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
