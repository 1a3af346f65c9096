package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A flood of scrapes renders the registry once a second, on a ticker the test moves: {@code /metrics} serves the
 * same text for a second, then a fresh one.
 */
class ScrapeCacheTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final AtomicInteger renders = new AtomicInteger();
  private final ScrapeCache cache = new ScrapeCache(() -> "render " + renders.incrementAndGet(),
      Duration.ofSeconds(1), nanos::get);

  private void advance(Duration by) {
    nanos.addAndGet(by.toNanos());
  }

  @Test
  void aThousandScrapesWithinASecondRenderOnce() {
    for (int i = 0; i < 1_000; i++) {
      assertThat(cache.get()).isEqualTo("render 1");
    }
    advance(Duration.ofMillis(999));

    assertThat(cache.get()).isEqualTo("render 1");
    assertThat(renders).hasValue(1);
  }

  @Test
  void aScrapeASecondAfterTheRenderRendersAgain() {
    cache.get();
    advance(Duration.ofSeconds(1));

    assertThat(cache.get()).isEqualTo("render 2");
    advance(Duration.ofMillis(500));
    assertThat(cache.get()).isEqualTo("render 2");
    assertThat(renders).hasValue(2);
  }

  @Test
  void theTickerStartingNegativeStillRendersTheFirstScrape() {
    nanos.set(Long.MIN_VALUE + 5);

    assertThat(cache.get()).isEqualTo("render 1");
    advance(Duration.ofSeconds(2));
    assertThat(cache.get()).isEqualTo("render 2");
  }

  @Test
  void metricsServesOneScrapeForASecondThenAFreshOne() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter received = registry.counter(WorkerMetrics.RECEIVED);
    AdminRoutes routes = new AdminRoutes(registry, Optional::empty, new RecentOutcomes(Clock.systemUTC()), nanos::get);
    received.increment();
    Reply first = routes.reply("GET", "/metrics");
    received.increment();
    advance(Duration.ofMillis(999));

    Reply cached = routes.reply("GET", "/metrics");
    advance(Duration.ofMillis(1));
    Reply fresh = routes.reply("GET", "/metrics");

    assertThat(first.body()).contains("launcher_messages_received_total 1.0");
    assertThat(cached).isEqualTo(first);
    assertThat(fresh.body()).contains("launcher_messages_received_total 2.0");
    assertThat(fresh.contentType()).isEqualTo(AdminRoutes.PROMETHEUS_TEXT);
  }
}
