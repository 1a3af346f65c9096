package io.launchworker.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.launchworker.request.SafeText;
import io.launchworker.message.Decision;
import io.launchworker.message.Outcome;
import io.launchworker.message.OutcomeKind;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /status.json}: what the status page draws, built on each request from the worker's {@link WorkerState}
 * ({@code state}: name, detail, colour), {@link RecentOutcomes} and the registry's in-flight, queue-depth and EC2 rate gauges. Carries message IDs, tokens and request IDs (operators search
 * for them) but never a message body, so never userData. A gauge not registered yet reads as {@code null}.
 * Every text of a decision is {@link SafeText#escape escaped}: a rejection detail or an EC2 error may quote
 * request text, and the page must show bidirectional overrides and zero-width characters, not obey them.
 *
 * <p>Thread-safe (stateless apart from its collaborators); runs on the admin server's threads.
 */
final class StatusJson {
  /** Queue roles and states as tagged on {@link WorkerMetrics#QUEUE_DEPTH}. */
  private static final List<String> QUEUES = List.of("source", "dlq");
  private static final List<String> STATES = List.of("visible", "in_flight", "delayed");
  /** The budgets tagged on {@link WorkerMetrics#EC2_RATE}. */
  private static final List<String> EC2_OPERATIONS = List.of("RunInstances", "Describe");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final MeterRegistry registry;
  private final RecentOutcomes recent;
  private final Supplier<WorkerState> state;

  StatusJson(MeterRegistry registry, RecentOutcomes recent) {
    this(registry, recent, WorkerHealth.readinessOnly(Optional::empty)::state);
  }

  StatusJson(MeterRegistry registry, RecentOutcomes recent, Supplier<WorkerState> state) {
    this.registry = registry;
    this.recent = recent;
    this.state = state;
  }

  Reply reply(String method) {
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      return Reply.text(405, "GET only\n");
    }
    return Reply.of(200, "application/json", render()).withHeader("Cache-Control", "no-store");
  }

  /** The current status as a JSON document. */
  String render() {
    RecentOutcomes.Snapshot snapshot = recent.snapshot();
    ObjectNode root = MAPPER.createObjectNode();
    root.put("takenAt", snapshot.takenAt().toString());
    root.put("bucketSeconds", snapshot.bucketWidth().toSeconds());
    WorkerState now = state.get();
    root.putObject("state").put("name", now.name()).put("detail", SafeText.escape(now.detail()))
        .put("colour", now.colour().cssClass());
    number(root, "inFlight", gauge(registry.find(WorkerMetrics.IN_FLIGHT).gauge()));
    ObjectNode queues = root.putObject("queues");
    for (String queue : QUEUES) {
      ObjectNode states = queues.putObject(queue);
      for (String state : STATES) {
        number(states, state, gauge(registry.find(WorkerMetrics.QUEUE_DEPTH).tag("queue", queue)
            .tag("state", state).gauge()));
      }
    }
    ObjectNode rates = root.putObject("ec2Rate");
    for (String operation : EC2_OPERATIONS) {
      ObjectNode rate = rates.putObject(operation);
      number(rate, "current", gauge(registry.find(WorkerMetrics.EC2_RATE).tag("operation", operation).gauge()));
      number(rate, "ceiling",
          gauge(registry.find(WorkerMetrics.EC2_RATE_CEILING).tag("operation", operation).gauge()));
    }
    ObjectNode totals = root.putObject("totals");
    for (OutcomeKind kind : OutcomeKind.values()) {
      totals.put(kind.tag(), snapshot.total(kind));
    }
    ArrayNode buckets = root.putArray("buckets");
    for (RecentOutcomes.Bucket bucket : snapshot.buckets()) {
      ObjectNode b = buckets.addObject().put("start", bucket.start().toString());
      bucket.counts().forEach((kind, count) -> b.put(kind.tag(), count));
    }
    ArrayNode decisions = root.putArray("recent");
    for (Decision decision : snapshot.recent()) {
      decisions.add(decision(decision));
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serializes", e);
    }
  }

  private static ObjectNode decision(Decision d) {
    Outcome outcome = d.outcome();
    ObjectNode node = MAPPER.createObjectNode();
    node.put("decidedAt", d.decidedAt().toString());
    node.put("outcome", outcome.kind().tag());
    node.put("reason", SafeText.escape(outcome.reason()));
    node.put("detail", SafeText.escape(outcome.detail()));
    node.put("errorCode", SafeText.escape(outcome.errorCode().orElse(null)));
    node.put("messageId", SafeText.escape(d.messageId()));
    node.put("token", SafeText.escape(d.token()));
    node.put("requestId", SafeText.escape(d.requestId().orElse(null)));
    node.put("receiveCount", d.receiveCount());
    node.put("processingMillis", Math.max(0, Duration.between(d.receivedAt(), d.decidedAt()).toMillis()));
    node.put("reservationId", SafeText.escape(outcome.reservationId().orElse(null)));
    ArrayNode instances = node.putArray("instances");
    outcome.instances().forEach(i -> instances.addObject()
        .put("instanceId", SafeText.escape(i.instanceId())).put("state", SafeText.escape(i.state())));
    PlacementJson.write(node, outcome, SafeText::escape);
    return node;
  }

  private static Double gauge(Gauge gauge) {
    return gauge == null ? null : gauge.value();
  }

  private static void number(ObjectNode node, String field, Double value) {
    if (value == null || value.isNaN() || value.isInfinite()) {
      node.putNull(field);
    } else if (value == Math.rint(value)) {
      node.put(field, value.longValue());
    } else {
      node.put(field, value);
    }
  }
}
