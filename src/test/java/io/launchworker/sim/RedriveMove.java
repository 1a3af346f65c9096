package io.launchworker.sim;

import java.time.Instant;

/**
 * A message SQS moved to a dead-letter queue by itself, through the source queue's RedrivePolicy: it carries no
 * reason from the worker. A simulation's invariant counts these. Immutable.
 *
 * @param receiveCount how often the message had been received from the source queue when it was moved
 */
public record RedriveMove(String messageId, String fromQueueUrl, String toQueueUrl, Instant at, int receiveCount) {}
