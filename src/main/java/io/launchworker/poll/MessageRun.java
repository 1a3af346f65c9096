package io.launchworker.poll;

import io.launchworker.launch.LaunchHandler;
import io.launchworker.message.Decision;
import io.launchworker.message.DecisionListener;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.InFlightRegistry;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.launchworker.settle.Settler;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message from handed over to settled: the launch decision, the settle step, the outcome log line and the
 * listeners; then the message leaves the registry and its permit is returned, whatever happened. Runs on handler
 * threads (and, for releases, on the poller's or the shutting-down thread). Thread-safe.
 */
final class MessageRun {
  private static final Logger log = LoggerFactory.getLogger(MessageRun.class);

  private final LaunchHandler launcher;
  private final Settler settler;
  private final List<DecisionListener> listeners;
  private final InFlightRegistry registry;
  private final Semaphore permits;
  private final Clock clock;
  private final BooleanSupplier stopping;
  private final AtomicInteger released = new AtomicInteger();

  MessageRun(LaunchHandler launcher, Settler settler, List<DecisionListener> listeners, InFlightRegistry registry,
      Semaphore permits, Clock clock, BooleanSupplier stopping) {
    this.launcher = launcher;
    this.settler = settler;
    this.listeners = List.copyOf(listeners);
    this.registry = registry;
    this.permits = permits;
    this.clock = clock;
    this.stopping = stopping;
  }

  /** Handles one message to its settled end; empty when handling failed unexpectedly. */
  Optional<Decision> run(InFlightMessage message) {
    try (MessageContext context = MessageContext.open(message)) {
      LaunchHandler.Result result = launcher.handle(message, stopping);
      context.token(result.token().value());
      message.markSettling();
      Decision applied = settler.settle(message, decision(message, result.token().value(), result.requestId(),
          result.outcome()));
      OutcomeLog.write(applied);
      listeners.forEach(l -> l.decided(applied));
      if (applied.outcome().kind() == OutcomeKind.RELEASED) {
        released.incrementAndGet();
      }
      return Optional.of(applied);
    } catch (RuntimeException e) {
      // A bug, not an EC2 answer: leave the message to come back after its visibility timeout.
      log.error("handling message {} failed unexpectedly; it will be retried", message.messageId(), e);
      return Optional.empty();
    } finally {
      registry.remove(message);
      permits.release();
    }
  }

  /** Gives a message the worker will not start back to SQS at once (visibility 0). */
  void release(InFlightMessage message) {
    try {
      message.markSettling();
      Decision applied = settler.settle(message, decision(message, tokenOf(message), Optional.empty(),
          Outcome.released()));
      listeners.forEach(l -> l.decided(applied));
      released.incrementAndGet();
    } finally {
      registry.remove(message);
      permits.release();
    }
  }

  /**
   * The message's token; when even reading its body fails (a bug: the release must still happen), the worker's token
   * attribute or its ID, as for a body that is not a request.
   */
  private String tokenOf(InFlightMessage message) {
    try {
      return launcher.tokenOf(message).value();
    } catch (RuntimeException e) {
      log.error("could not read the token of released message {}", message.messageId(), e);
      return io.launchworker.launch.Token.resolve(Optional.empty(), message.senderId(), message.attributes(),
          message.messageId()).value();
    }
  }

  /** Messages released so far (at shutdown, or behind a FIFO group's retry). */
  int released() {
    return released.get();
  }

  private Decision decision(InFlightMessage m, String token, Optional<String> requestId, Outcome outcome) {
    return new Decision(m.messageId(), token, requestId, m.receiveCount(), m.messageGroupId(), m.sentAt(),
        m.receivedAt(), clock.instant(), outcome);
  }
}
