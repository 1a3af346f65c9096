package io.launchworker.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What each path of the admin server answers: {@code /metrics} (Prometheus text), {@code /health/live} and
 * {@code /health/ready} (JSON saying why), the status page at {@code /} (also {@code /index.html}) and its data
 * at {@code /status.json}; any other path is 404. Paths match exactly. {@code /metrics} serves a scrape up to
 * {@link ScrapeCache#MAX_AGE} old. Thread-safe; blocks only as long as a scrape of the registry takes.
 */
final class AdminRoutes {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String UP = "{\"status\":\"UP\"}";

  private final ScrapeCache scrapes;
  private final Supplier<Optional<String>> notReadyBecause;
  private final StatusPage page;
  private final StatusJson status;

  AdminRoutes(PrometheusMeterRegistry registry, Supplier<Optional<String>> notReadyBecause, RecentOutcomes recent) {
    this(registry, notReadyBecause, recent, System::nanoTime);
  }

  /** @param nanoTime the ticker that ages a cached scrape */
  AdminRoutes(PrometheusMeterRegistry registry, Supplier<Optional<String>> notReadyBecause, RecentOutcomes recent,
      LongSupplier nanoTime) {
    this.scrapes = new ScrapeCache(registry::scrape, ScrapeCache.MAX_AGE, nanoTime);
    this.notReadyBecause = notReadyBecause;
    this.page = new StatusPage();
    this.status = new StatusJson(registry, recent);
  }

  /** Whether this path is a probe: answered at once, never behind a backlog of scrapes ({@link AdminHandler}). */
  static boolean isProbe(String path) {
    return "/health/live".equals(path) || "/health/ready".equals(path);
  }

  Reply reply(String method, String path) {
    return switch (path) {
      case "/metrics" -> Reply.of(200, PROMETHEUS_TEXT, scrapes.get());
      case "/health/live" -> Reply.of(200, "application/json", UP);
      case "/health/ready" -> ready();
      case "/status.json" -> status.reply(method);
      case "/", "/index.html" -> page.reply();
      default -> Reply.text(404, "not found: " + path + "\n");
    };
  }

  private Reply ready() {
    Optional<String> why = notReadyBecause.get();
    return why.isEmpty() ? Reply.of(200, "application/json", UP)
        : Reply.of(503, "application/json", "{\"status\":\"DOWN\",\"reason\":" + Json.quote(why.get()) + "}");
  }
}
