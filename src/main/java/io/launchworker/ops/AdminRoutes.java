package io.launchworker.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What each path of the admin server answers: {@code /metrics} (Prometheus text), {@code /health/live} and
 * {@code /health/ready} (200, or 503 with JSON saying why, from {@link WorkerHealth}), the status page at {@code /} (also {@code /index.html}) and its data
 * at {@code /status.json}; any other path is 404. Paths match exactly. {@code /metrics} serves a scrape up to
 * {@link ScrapeCache#MAX_AGE} old. Thread-safe; blocks only as long as a scrape of the registry takes.
 */
final class AdminRoutes {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String UP = "{\"status\":\"UP\"}";

  private final ScrapeCache scrapes;
  private final WorkerHealth health;
  private final StatusPage page;
  private final StatusJson status;

  AdminRoutes(PrometheusMeterRegistry registry, Supplier<Optional<String>> notReadyBecause, RecentOutcomes recent) {
    this(registry, WorkerHealth.readinessOnly(notReadyBecause), recent, System::nanoTime);
  }

  AdminRoutes(PrometheusMeterRegistry registry, WorkerHealth health, RecentOutcomes recent) {
    this(registry, health, recent, System::nanoTime);
  }

  AdminRoutes(PrometheusMeterRegistry registry, Supplier<Optional<String>> notReadyBecause, RecentOutcomes recent,
      LongSupplier nanoTime) {
    this(registry, WorkerHealth.readinessOnly(notReadyBecause), recent, nanoTime);
  }

  /** @param nanoTime the ticker that ages a cached scrape */
  AdminRoutes(PrometheusMeterRegistry registry, WorkerHealth health, RecentOutcomes recent, LongSupplier nanoTime) {
    this.scrapes = new ScrapeCache(registry::scrape, ScrapeCache.MAX_AGE, nanoTime);
    this.health = health;
    this.page = new StatusPage();
    this.status = new StatusJson(registry, recent, health::state);
  }

  /** Whether this path is a probe: answered at once, never behind a backlog of scrapes ({@link AdminHandler}). */
  static boolean isProbe(String path) {
    return "/health/live".equals(path) || "/health/ready".equals(path);
  }

  Reply reply(String method, String path) {
    return switch (path) {
      case "/metrics" -> Reply.of(200, PROMETHEUS_TEXT, scrapes.get());
      case "/health/live" -> probe(health.notLiveBecause());
      case "/health/ready" -> probe(health.notReadyBecause());
      case "/status.json" -> status.reply(method);
      case "/", "/index.html" -> page.reply();
      default -> Reply.text(404, "not found: " + path + "\n");
    };
  }

  private static Reply probe(Optional<String> why) {
    return why.isEmpty() ? Reply.of(200, "application/json", UP)
        : Reply.of(503, "application/json", "{\"status\":\"DOWN\",\"reason\":" + Json.quote(why.get()) + "}");
  }
}
