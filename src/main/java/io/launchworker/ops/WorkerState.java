package io.launchworker.ops;

import java.util.Locale;
import java.util.Objects;

/**
 * The one line the status page leads with: what the worker is doing now, in a word ({@code name}, a stable
 * identifier), why ({@code detail}, for people) and how alarming that is ({@link Colour}). Immutable.
 *
 * @param name lower-case with underscores, e.g. {@code ready}, {@code cap_reached}, {@code account_paused}
 * @param detail empty when the name says it all
 */
public record WorkerState(String name, String detail, Colour colour) {
  /** How the page colours a state; the CSS class is {@link #cssClass()}. */
  public enum Colour {
    /** Working normally. */
    OK,
    /** Held back on purpose (a full hourly cap, the consistency window): busy, not broken. */
    BUSY,
    /** Not ready yet for a reason that usually passes by itself (starting, the cap not counted yet). */
    WARN,
    /** Not working for a fault someone may have to look at (an account fault, SQS failing, a silent poller). */
    BAD,
    /** On its way out. */
    OFF;

    public String cssClass() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public WorkerState {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(colour, "colour");
  }
}
