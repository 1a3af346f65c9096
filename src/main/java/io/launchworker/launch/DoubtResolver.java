package io.launchworker.launch;

import io.launchworker.message.InFlightMessage;
import io.launchworker.message.Outcome;
import io.launchworker.ops.WorkerMetrics;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The doubt step of a launch: what may have launched with a message's token before this receive, the look-ups
 * that answer it, and the wait that makes an empty look-up evidence (one consistency window after the last call
 * that may have launched). A first receive is handed back for the window rather than held (it is remembered here,
 * so its next receive goes on at once); a redelivery nobody remembers waits in its handler. Thread-safe: the
 * per-message state lives in each call's {@link Look}.
 */
final class DoubtResolver {
  private final ConsistencyWindow window;
  private final EarlierLaunches earlier;
  private final DoubtMemory memory;
  private final WorkerMetrics metrics;
  private final LookupFailures failures;
  private final AtomicInteger waiting = new AtomicInteger();

  /** What a failed look-up means for the message (a retry, or an account fault's pause). */
  interface LookupFailures {
    Outcome failed(RuntimeException e, InFlightMessage message, String operation);
  }

  DoubtResolver(ConsistencyWindow window, EarlierLaunches earlier, DoubtMemory memory, WorkerMetrics metrics,
      LookupFailures failures) {
    this.window = window;
    this.earlier = earlier;
    this.memory = memory;
    this.metrics = metrics;
    this.failures = failures;
  }

  /** Handlers waiting in place for the window now. */
  int waiting() {
    return waiting.get();
  }

  /**
   * What may have launched with the token before this receive: nothing for a first receive under the message's own
   * ID; up to what this process remembers of the receive right before, if it made it; else up to this receive.
   */
  Doubt doubtOf(InFlightMessage message, Token token) {
    if (!mayBeRepeat(message, token)) {
      return Doubt.none(window.length());
    }
    return memory.previous(message.messageId(), token.value(), message.receiveCount())
        .map(e -> Doubt.since(window.length(), e.at(), e.unclearShape()))
        .orElseGet(() -> Doubt.since(window.length(), message.receivedAt(), OptionalInt.empty()));
  }

  /**
   * Makes the doubt clear: looks up again once a window has passed since the last call that may have launched.
   * Empty when the doubt is clear and the caller may go on. Otherwise what to do instead: what the look-up found,
   * or the message handed back (a first receive waits on the queue, remembered here, rather than in a handler; a
   * worker stopping releases it).
   */
  Optional<Outcome> clear(Look look, String trigger) {
    return clear(look, trigger, "found_by_" + trigger);
  }

  /** As {@link #clear(Look, String)}, naming the outcome of a launch found {@code how}. */
  Optional<Outcome> clear(Look look, String trigger, String how) {
    Doubt doubt = look.doubt();
    if (doubt.cleared()) {
      return Optional.empty();
    }
    InFlightMessage message = look.message();
    Instant clearsAt = doubt.clearsAt().orElseThrow();
    if (message.receiveCount() == 1 && !clearsAt.isAfter(message.receivedAt().plus(window.length()))) {
      // Nothing this receive did may have launched: the doubt is about earlier messages with the same token.
      memory.held(message.messageId(), look.token().value(), 1, window.now());
      metrics.consistencyHold("released", "pending");
      return Optional.of(Outcome.held("may be a repeat of a launch EC2's reads do not show yet; looking again in "
          + window.length().toSeconds() + "s (launcher.retry.consistency-window)", window.length()));
    }
    waiting.incrementAndGet();
    boolean waited;
    try {
      waited = window.waitUntil(clearsAt, look.stopping());
    } finally {
      waiting.decrementAndGet();
    }
    if (!waited) {
      return Optional.of(Outcome.released());
    }
    Optional<Outcome> found = lookUp(look, trigger, how);
    metrics.consistencyHold("waited", found.isPresent() ? "found" : "not_found");
    return found;
  }

  /**
   * A later receive, a message redriven from the DLQ, or a producer's retry under its own clientToken may already
   * have launched. RunInstances would answer with the first reservation on AWS (or, as the worker's message-ID tag
   * differs between two messages, with IdempotentParameterMismatch), but emulators that ignore ClientToken would
   * launch again. Look-ups are cheap next to launches: EC2 allows ten Describe calls for each RunInstances.
   */
  static boolean mayBeRepeat(InFlightMessage message, Token token) {
    return message.receiveCount() > 1 || token.source() != Token.Source.MESSAGE_ID;
  }

  /** Metric tag and outcome reason suffix: why a look-up was made. */
  static String lookupTrigger(InFlightMessage message, Token token) {
    if (message.receiveCount() > 1) {
      return "redelivery";
    }
    return token.source() == Token.Source.ATTRIBUTE ? "redrive" : "client_token";
  }

  /**
   * Looks the token up (by tag and by every shape's ClientToken; for a clientToken found under neither, by its
   * unscoped tokens too). Empty when nothing shows (recorded in the doubt);
   * otherwise the outcome it leads to: found, a conflict, a failed look-up, or a release when stopping.
   */
  Optional<Outcome> lookUp(Look look, String trigger) {
    return lookUp(look, trigger, "found_by_" + trigger);
  }

  Optional<Outcome> lookUp(Look look, String trigger, String how) {
    Instant at = window.now();
    try {
      Optional<List<Ec2Port.FoundInstance>> found = earlier.find(look.token().value(), look.clientTokens(),
          look.stopping());
      if (found.isPresent() && found.get().isEmpty() && look.unscoped().isPresent()) {
        // Nothing under the sender-scoped token: an older release may have launched it under the clientToken as is.
        EarlierLaunches.Unscoped unscoped = look.unscoped().get();
        found = earlier.find(unscoped.token(), unscoped.clientTokens(), look.stopping())
            .map(f -> earlier.sameRequest(unscoped, f, look.hash().orElseThrow()));
      }
      if (found.isEmpty()) {
        return Optional.of(Outcome.released());
      }
      Optional<Outcome> resolved = earlier.resolve(found.get(), look.hash(), how, trigger);
      if (resolved.isEmpty()) {
        look.doubt().lookedUpEmpty(at);
      }
      return resolved;
    } catch (RuntimeException e) {
      return Optional.of(failures.failed(e, look.message(), "DescribeInstances"));
    }
  }
}
