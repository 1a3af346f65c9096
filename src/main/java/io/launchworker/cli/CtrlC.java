package io.launchworker.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ctrl-C (SIGINT) as a request to stop after the step in progress, while it is watched: the first one sets
 * {@link #requested()} and hands SIGINT back to the handler before it, so a second Ctrl-C ends the JVM as usual
 * (exit 130). Uses {@code sun.misc.Signal}, as {@link StopSignals} does; where SIGINT cannot be caught, Ctrl-C
 * simply ends the JVM. Thread-safe: the signal thread sets, the command's thread reads.
 */
final class CtrlC implements StopRequest {
  private static final Logger log = LoggerFactory.getLogger(CtrlC.class);

  private final AtomicBoolean requested = new AtomicBoolean();
  private final AtomicBoolean watching = new AtomicBoolean();
  private final sun.misc.Signal signal = new sun.misc.Signal("INT");
  // Written once in watch(), before the handler can run.
  private sun.misc.SignalHandler previous;

  private CtrlC() {}

  /** Starts watching. */
  @SuppressWarnings("removal")
  static StopRequest watch() {
    CtrlC ctrlC = new CtrlC();
    try {
      ctrlC.previous = sun.misc.Signal.handle(ctrlC.signal, s -> {
        ctrlC.requested.set(true);
        ctrlC.close();
      });
      ctrlC.watching.set(true);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log.debug("cannot handle SIGINT ({}); Ctrl-C ends the process at once", e.getMessage());
    }
    return ctrlC;
  }

  @Override
  public boolean requested() {
    return requested.get();
  }

  @Override
  @SuppressWarnings("removal")
  public void close() {
    if (watching.compareAndSet(true, false)) {
      sun.misc.Signal.handle(signal, previous);
    }
  }
}
