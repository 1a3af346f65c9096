package io.launchworker.message;

/**
 * Told of every settled message, on the handler thread that settled it, after the queue reflects it. Must be
 * quick and must not throw (the status page's recent-outcomes buffer, the outcome log line).
 */
@FunctionalInterface
public interface DecisionListener {
  void decided(Decision decision);
}
