package io.launchworker.settle;

import io.launchworker.message.InFlightMessage;
import io.launchworker.message.InFlightRegistry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.ops.WorkerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityResponse;

/**
 * The keeper's extension and a handler's own visibility change (a release at shutdown, a back-off) must not
 * interleave: the handler's change is the one that lands last. The interleaving is forced with latches, not timed.
 */
class VisibilityRaceTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
  private final InFlightRegistry registry = new InFlightRegistry();
  private final RecordingSqs sqs = new RecordingSqs();

  @Test
  void aReleaseDuringTheKeepersExtensionLandsAfterItAndIsNotOverwritten() throws Exception {
    InFlightMessage message = heldMessage();
    VisibilityKeeper keeper = new VisibilityKeeper(sqs, "q", registry, Duration.ofSeconds(60), 0.5, clock, metrics);
    Settler settler = new Settler(sqs, "q", null, null, Optional.empty(), 10, metrics, clock);

    Thread keeperThread = new Thread(keeper::tick, "keeper");
    keeperThread.start();
    assertThat(sqs.batchEntered.await(5, TimeUnit.SECONDS)).isTrue();

    Thread handler = new Thread(() -> {
      message.markSettling();
      settler.changeVisibility(message, Duration.ZERO);
    }, "handler");
    handler.start();
    // The handler must wait for the extension in flight instead of sending its release under it.
    await().atMost(Duration.ofSeconds(5)).until(() -> handler.getState() == Thread.State.WAITING
        || handler.getState() == Thread.State.TIMED_WAITING);
    assertThat(sqs.changes).isEmpty();

    sqs.finishBatch.countDown();
    handler.join(5_000);
    keeperThread.join(5_000);

    assertThat(sqs.changes).containsExactly("batch:60", "single:0");
  }

  @Test
  void aBackOffAfterSettlingBeganIsNeverFollowedByAnExtension() {
    InFlightMessage message = heldMessage();
    VisibilityKeeper keeper = new VisibilityKeeper(sqs, "q", registry, Duration.ofSeconds(60), 0.5, clock, metrics);
    Settler settler = new Settler(sqs, "q", null, null, Optional.empty(), 10, metrics, clock);
    sqs.finishBatch.countDown();

    message.markSettling();
    settler.changeVisibility(message, Duration.ofMinutes(10));
    keeper.tick();

    assertThat(sqs.changes).containsExactly("single:600");
  }

  @Test
  void theKeepersCallsTimeOutWithinItsSafetyMargin() {
    VisibilityKeeper keeper = new VisibilityKeeper(sqs, "q", registry, Duration.ofSeconds(60), 0.5, clock, metrics);

    // Margin 30 s, ticks every 15 s: a message is found with at least 15 s left, so a call bounded well below
    // that lands (or fails) before the message could become visible.
    assertThat(keeper.tickInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(keeper.callTimeout()).isLessThan(keeper.tickInterval().dividedBy(2));
  }

  /** A message received just now whose visibility is about to need extending. */
  private InFlightMessage heldMessage() {
    InFlightMessage m = new InFlightMessage("m-1", "handle-1", "{}", 1, NOW, NOW, NOW.plusSeconds(10), Map.of(),
        Optional.empty());
    registry.register(m);
    return m;
  }

  /** Records every visibility change; the batch call (the keeper's) blocks until the test lets it finish. */
  private static final class RecordingSqs implements SqsClient {
    final List<String> changes = new CopyOnWriteArrayList<>();
    final CountDownLatch batchEntered = new CountDownLatch(1);
    final CountDownLatch finishBatch = new CountDownLatch(1);

    @Override
    public ChangeMessageVisibilityBatchResponse changeMessageVisibilityBatch(
        Consumer<ChangeMessageVisibilityBatchRequest.Builder> request) {
      ChangeMessageVisibilityBatchRequest built = ChangeMessageVisibilityBatchRequest.builder()
          .applyMutation(request).build();
      batchEntered.countDown();
      try {
        finishBatch.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      built.entries().forEach(e -> changes.add("batch:" + e.visibilityTimeout()));
      return ChangeMessageVisibilityBatchResponse.builder().successful(built.entries().stream()
          .map(e -> ChangeMessageVisibilityBatchResultEntry.builder().id(e.id()).build()).toList()).build();
    }

    @Override
    public ChangeMessageVisibilityResponse changeMessageVisibility(
        Consumer<ChangeMessageVisibilityRequest.Builder> request) {
      changes.add("single:" + ChangeMessageVisibilityRequest.builder().applyMutation(request).build()
          .visibilityTimeout());
      return ChangeMessageVisibilityResponse.builder().build();
    }

    @Override
    public String serviceName() {
      return "sqs";
    }

    @Override
    public void close() {}
  }
}
