package io.launchworker.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM and SIGINT into a stop request instead of an immediate JVM exit, so a command can drain its
 * in-flight work and exit 0. Uses {@code sun.misc.Signal} (module jdk.unsupported, present in every OpenJDK).
 * Where signals cannot be caught, a shutdown hook makes the same stop request and then holds the JVM's exit
 * until the command reports {@link #stopped()} (or {@code maxWait} has passed), so the drain still happens.
 * Thread-safe; one instance per command run.
 */
final class StopSignals {
  private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  private StopSignals() {}

  /** Starts listening for SIGTERM and SIGINT. */
  @SuppressWarnings("removal")
  static StopSignals install(Duration maxWait) {
    StopSignals signals = new StopSignals();
    boolean hookNeeded = false;
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> signals.stopRequested.countDown());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        log.warn("cannot handle SIG{} ({}); relying on a shutdown hook", name, e.getMessage());
        hookNeeded = true;
      }
    }
    if (hookNeeded) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        signals.stopRequested.countDown();
        try {
          signals.stopped.await(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "stop-hook"));
    }
    return signals;
  }

  /** Blocks until a stop was requested. */
  void awaitStopRequest() throws InterruptedException {
    stopRequested.await();
  }

  /** The command has finished stopping; a waiting shutdown hook may let the JVM exit. */
  void stopped() {
    stopped.countDown();
  }
}
