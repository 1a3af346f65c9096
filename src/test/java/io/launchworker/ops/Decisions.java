package io.launchworker.ops;

import io.launchworker.message.Decision;
import io.launchworker.message.Outcome;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Decisions for tests, as the worker would build them. */
final class Decisions {
  private Decisions() {}

  static Decision launched(String messageId, Instant at, String reservationId, String... instanceIds) {
    List<Outcome.InstanceRef> instances = java.util.Arrays.stream(instanceIds)
        .map(id -> new Outcome.InstanceRef(id, "pending")).toList();
    return decision(messageId, at, Outcome.launched(reservationId, instances));
  }

  static Decision rejected(String messageId, Instant at, String reason, String detail) {
    return decision(messageId, at, Outcome.rejected(reason, detail, Optional.empty()));
  }

  static Decision decision(String messageId, Instant at, Outcome outcome) {
    return new Decision(messageId, "token-" + messageId, Optional.of("req-" + messageId), 1, Optional.empty(),
        at.minusMillis(900), at.minusMillis(250), at, outcome);
  }
}
