package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.launch.AccountFaultPause;
import io.launchworker.message.InFlightMessage;
import io.launchworker.message.InFlightRegistry;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.testing.MutableClock;
import io.launchworker.testing.ScriptedSqs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The receive loop's decisions on a scripted SQS, a fake clock and a sleeper that only records: permits, back-off,
 * held messages, stopping, the hourly cap and the account-fault pause. Runs on the test thread, in milliseconds.
 */
class PollerTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

  private final MutableClock clock = new MutableClock(NOW);
  private final ScriptedSqs sqs = new ScriptedSqs();
  private final InFlightRegistry registry = new InFlightRegistry();
  private final List<InFlightMessage> dispatched = new ArrayList<>();
  private final List<InFlightMessage> released = new ArrayList<>();
  private final List<Duration> slept = new ArrayList<>();
  private final Readiness readiness = new Readiness(clock, Duration.ofSeconds(30));
  private final AccountFaultPause pause = new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofSeconds(20));
  private Semaphore permits = new Semaphore(32);
  private BooleanSupplier capRoom = () -> true;
  private Poller poller;

  private Poller poller() {
    poller = new Poller(sqs, "q", permits, registry, dispatched::addAll, released::add, Duration.ofSeconds(20),
        Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofMillis(400), clock, d -> {
          slept.add(d);
          clock.advance(d);
        }, new WorkerMetrics(new SimpleMeterRegistry()), readiness, () -> capRoom.getAsBoolean(), pause);
    sqs.whenScriptEnds(() -> poller.stop());
    return poller;
  }

  @Test
  void asksForAtMostTenAndAtMostTheFreePermitsAndGivesBackWhatItDidNotUse() {
    permits = new Semaphore(3);
    sqs.thenReceive(() -> messages("m-1"));

    poller().run();

    assertThat(sqs.receiveRequests().get(0).maxNumberOfMessages()).isEqualTo(3);
    assertThat(dispatched).extracting(InFlightMessage::messageId).containsExactly("m-1");
    assertThat(permits.availablePermits()).isEqualTo(2);

    permits = new Semaphore(32);
    PollerTest other = new PollerTest();
    other.sqs.thenReceive(() -> messages());
    other.poller().run();
    assertThat(other.sqs.receiveRequests().get(0).maxNumberOfMessages()).isEqualTo(10);
  }

  @Test
  void aFailingReceiveBacksOffDoublingUpToTheCapAndReadinessSaysWhyUntilItWorksAgain() {
    for (int i = 0; i < 4; i++) {
      sqs.thenReceive(() -> {
        throw SqsException.builder().statusCode(503).message("down").build();
      });
    }
    List<Optional<String>> readinessWhileFailing = new ArrayList<>();
    sqs.thenReceive(() -> {
      readinessWhileFailing.add(readiness.notReadyBecause());
      return messages();
    });

    poller().run();

    // 100 ms, 200 ms, 400 ms, 400 ms (the cap), paused in slices of at most 100 ms.
    assertThat(slept.stream().mapToLong(Duration::toMillis).sum()).isEqualTo(1_100);
    assertThat(slept).allMatch(d -> d.toMillis() <= 100);
    assertThat(readinessWhileFailing.get(0)).hasValueSatisfying(r -> assertThat(r).startsWith("receive failing"));
    assertThat(readiness.notReadyBecause()).isEmpty();
    assertThat(permits.availablePermits()).isEqualTo(32);
  }

  @Test
  void aMessageStillHeldIsNotDispatchedAgainAndItsNewHandleReplacesTheOld() {
    InFlightMessage held = new InFlightMessage("m-1", "old-handle", "{}", 1, NOW, NOW, NOW.plusSeconds(60), Map.of(),
        Optional.empty());
    registry.register(held);
    sqs.thenReceive(() -> messages("m-1"));

    poller().run();

    assertThat(dispatched).isEmpty();
    assertThat(held.receiptHandle()).isEqualTo("handle-m-1");
    assertThat(permits.availablePermits()).isEqualTo(32);
  }

  @Test
  void messagesArrivingAfterTheStopAreReleasedNotDispatched() {
    sqs.thenReceive(() -> {
      poller.stop();
      return messages("m-1", "m-2");
    });

    poller().run();

    assertThat(dispatched).isEmpty();
    assertThat(released).extracting(InFlightMessage::messageId).containsExactly("m-1", "m-2");
  }

  @Test
  void whileTheHourlyCapIsFullNothingIsReceivedAndTheWorkerCountsAsBusyNotBroken() {
    AtomicInteger checks = new AtomicInteger();
    AtomicInteger receivesWhileFull = new AtomicInteger();
    capRoom = () -> {
      boolean room = checks.incrementAndGet() > 3;
      if (!room) {
        receivesWhileFull.set(sqs.receiveRequests().size());
      }
      return room;
    };
    sqs.thenReceive(() -> messages("m-1"));

    poller().run();

    // Full for three looks, a second apart (in stop-check slices): no receive meanwhile, then one.
    assertThat(slept.stream().mapToLong(Duration::toMillis).sum()).isEqualTo(2_000);
    assertThat(receivesWhileFull).hasValue(0);
    assertThat(dispatched).hasSize(1);
  }

  @Test
  void duringAnAccountFaultItReceivesOneProbeMessagePerBackOffAndNothingBetween() {
    pause.faulted("UnauthorizedOperation", "denied");
    sqs.thenReceive(() -> messages("probe-1")).thenReceive(() -> messages("probe-2"));

    poller().run();

    List<ReceiveMessageRequest> asked = sqs.receiveRequests();
    assertThat(asked.subList(0, 2)).extracting(ReceiveMessageRequest::maxNumberOfMessages).containsExactly(1, 1);
    // The first probe after 5 s, the second a further 5 s later: nothing is received in between.
    assertThat(slept.stream().mapToLong(Duration::toMillis).sum()).isGreaterThanOrEqualTo(10_000);
    assertThat(dispatched).extracting(InFlightMessage::messageId).containsExactly("probe-1", "probe-2");
  }

  @Test
  void anUnreadableReceiveCountOrSentTimestampFallsBackToAFirstDeliverySentNow() {
    sqs.thenReceive(() -> ReceiveMessageResponse.builder().messages(Message.builder().messageId("m-1")
        .receiptHandle("h").body("{}").attributes(Map.of(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "x",
            MessageSystemAttributeName.SENT_TIMESTAMP, "y")).build()).build());

    poller().run();

    assertThat(dispatched.get(0).receiveCount()).isEqualTo(1);
    assertThat(dispatched.get(0).sentAt()).isEqualTo(NOW);
  }

  @Test
  void asksSqsWhoSentEachMessageAndHandsTheSenderIdOnToScopeItsClientToken() {
    sqs.thenReceive(() -> ReceiveMessageResponse.builder().messages(Message.builder().messageId("m-1")
        .receiptHandle("h").body("{}").attributes(Map.of(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1",
            MessageSystemAttributeName.SENDER_ID, "AROAPRODUCER:ci-runner")).build()).build());

    poller().run();

    assertThat(sqs.receiveRequests().get(0).messageSystemAttributeNames())
        .contains(MessageSystemAttributeName.SENDER_ID);
    assertThat(dispatched.get(0).senderId()).contains("AROAPRODUCER:ci-runner");
  }

  private static ReceiveMessageResponse messages(String... ids) {
    return ReceiveMessageResponse.builder().messages(Arrays.stream(ids).map(id -> Message.builder().messageId(id)
        .receiptHandle("handle-" + id).body("{}").attributes(Map.of(
            MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1",
            MessageSystemAttributeName.SENT_TIMESTAMP, Long.toString(NOW.toEpochMilli()))).build()).toList())
        .build();
  }
}
