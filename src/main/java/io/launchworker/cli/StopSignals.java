package io.launchworker.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM and SIGINT into a call of {@code onStop} instead of an immediate JVM exit, so the command can
 * drain in-flight work and exit 0. Uses {@code sun.misc.Signal} (module jdk.unsupported, present in every
 * OpenJDK); where signals cannot be caught, falls back to a shutdown hook.
 */
final class StopSignals {
  private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

  private StopSignals() {}

  @SuppressWarnings("removal")
  static void onTermination(Runnable onStop) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> onStop.run());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        log.warn("cannot handle SIG{} ({}); relying on the shutdown hook", name, e.getMessage());
        Runtime.getRuntime().addShutdownHook(new Thread(onStop, "stop-hook"));
      }
    }
  }
}
