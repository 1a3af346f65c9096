package io.launchworker.ops;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The Prometheus text of {@code /metrics}, rendered at most once per {@link #MAX_AGE}: a flood of scrapes
 * (20,000 pipelined {@code GET /metrics} cost 20,000 renders and 10 s of CPU) costs one render a second and
 * copies of its text. Prometheus scrapes every 15 s or more, so a second-old answer is as good as a fresh one.
 *
 * <p>Thread-safe: one render at a time; a caller arriving during a render waits for it and gets its text.
 * Time comes from the injected ticker (nanoseconds, as {@link System#nanoTime}).
 */
final class ScrapeCache {
  /** Shorter than any scrape interval worth configuring (Prometheus's default is 1 min, common ones 15–30 s). */
  static final Duration MAX_AGE = Duration.ofSeconds(1);

  private final Supplier<String> render;
  private final long maxAgeNanos;
  private final LongSupplier nanoTime;
  // Guarded by this: the last text and the tick its render started at.
  private String text;
  private long renderedAt;

  ScrapeCache(Supplier<String> render, Duration maxAge, LongSupplier nanoTime) {
    this.render = render;
    this.maxAgeNanos = maxAge.toNanos();
    this.nanoTime = nanoTime;
  }

  /** The last text, or a new one when the last is {@code maxAge} old or older. */
  synchronized String get() {
    long now = nanoTime.getAsLong();
    if (text == null || now - renderedAt >= maxAgeNanos) {
      text = render.get();
      renderedAt = now;
    }
    return text;
  }
}
