package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
  /** Three poll windows of (20 s wait + 10 s). */
  private static final Duration LIVENESS_LIMIT = Duration.ofSeconds(90);

  private final MutableClock clock = new MutableClock(NOW);
  private final ScriptedSqs sqs = new ScriptedSqs();
  private final InFlightRegistry registry = new InFlightRegistry();
  private final List<InFlightMessage> dispatched = new ArrayList<>();
  private final List<InFlightMessage> released = new ArrayList<>();
  private final List<Duration> slept = new ArrayList<>();
  private final Readiness readiness = new Readiness(clock, Duration.ofSeconds(30));
  private AccountFaultPause pause = new AccountFaultPause(clock, Duration.ofSeconds(5), Duration.ofSeconds(20));
  /** What liveness said at each pause of the loop (the sleeper records it). */
  private final List<Optional<String>> livenessWhileSleeping = new ArrayList<>();
  private Runnable onDispatch = () -> {};
  private final Liveness liveness = new Liveness(clock, LIVENESS_LIMIT, () -> false);
  private Semaphore permits = new Semaphore(32);
  private BooleanSupplier capRoom = () -> true;
  private Poller poller;

  private Poller poller() {
    poller = new Poller(sqs, () -> { }, "q", permits, registry, batch -> {
          dispatched.addAll(batch);
          onDispatch.run();
        }, released::add, Duration.ofSeconds(20),
        Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofMillis(400), clock, d -> {
          slept.add(d);
          clock.advance(d);
          livenessWhileSleeping.add(liveness.notLiveBecause());
        }, new WorkerMetrics(new SimpleMeterRegistry()), readiness, () -> capRoom.getAsBoolean(), pause, liveness);
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
  void asksForNoMoreThanTheEc2BudgetCanLaunchSoon() {
    sqs.thenReceive(() -> messages("m-1", "m-2", "m-3"));
    Poller limited = poller();
    limited.limitToBudget(() -> {
      int room = 3 - registry.size();
      if (room <= 0) {
        limited.stop(); // the three are held and nothing launches them here: the loop would wait for ever
      }
      return room;
    });

    limited.run();

    assertThat(sqs.receiveRequests().get(0).maxNumberOfMessages()).isEqualTo(3);
    assertThat(permits.availablePermits()).isEqualTo(32 - 3);
  }

  @Test
  void whileTheMessagesInHandFillTheEc2BudgetNothingIsReceivedAndTheWorkerStaysLive() {
    AtomicInteger looks = new AtomicInteger();
    AtomicInteger receivesWhileFull = new AtomicInteger();
    sqs.thenReceive(() -> messages("m-1"));
    Poller limited = poller();
    limited.limitToBudget(() -> {
      if (looks.incrementAndGet() <= 3) {
        receivesWhileFull.set(sqs.receiveRequests().size());
        return 0;
      }
      return 1;
    });

    limited.run();

    // Full for three looks, 100 ms apart: no receive meanwhile, then one for a single message; live throughout.
    assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
    assertThat(receivesWhileFull).hasValue(0);
    assertThat(sqs.receiveRequests().get(0).maxNumberOfMessages()).isEqualTo(1);
    assertThat(livenessWhileSleeping).containsOnly(Optional.empty());
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

    // Full for three looks, a stop-check slice (100 ms) apart: no receive meanwhile, then one.
    assertThat(slept.stream().mapToLong(Duration::toMillis).sum()).isEqualTo(200);
    assertThat(receivesWhileFull).hasValue(0);
    assertThat(dispatched).hasSize(1);
  }

  @Test
  void theFirstReceiveFollowsTheCapsFirstCountWithinAStopCheckNotASecondLater() {
    // Until the cap's first count from EC2 lands (250 ms after the start here), it has no room.
    capRoom = () -> !clock.instant().isBefore(NOW.plusMillis(250));
    List<Instant> receivedAt = new ArrayList<>();
    sqs.thenReceive(() -> {
      receivedAt.add(clock.instant());
      return messages("m-1");
    });

    poller().run();

    assertThat(receivedAt).containsExactly(NOW.plusMillis(300));
    assertThat(dispatched).extracting(InFlightMessage::messageId).containsExactly("m-1");
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

  @Test
  void aLoopWedgedInsideAReceiveFailsLivenessOnceSeveralPollWindowsHavePassed() {
    List<Optional<String>> seen = new ArrayList<>();
    sqs.thenReceive(() -> {
      seen.add(liveness.notLiveBecause());
      clock.advance(LIVENESS_LIMIT);
      seen.add(liveness.notLiveBecause());
      clock.advance(Duration.ofSeconds(1));
      seen.add(liveness.notLiveBecause());
      return messages();
    });

    poller().run();

    assertThat(seen.get(0)).as("as the receive starts").isEmpty();
    assertThat(seen.get(1)).as("at the limit").isEmpty();
    assertThat(seen.get(2)).as("past the limit").hasValueSatisfying(why -> assertThat(why)
        .contains("has not attempted a receive from SQS for 91s (limit 90s)"));
  }

  @Test
  void aLoopLongPollingAnEmptyQueueStaysLive() {
    List<Optional<String>> atEachAttempt = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      sqs.thenReceive(() -> {
        atEachAttempt.add(liveness.notLiveBecause());
        clock.advance(Duration.ofSeconds(20)); // the long poll's wait
        return messages();
      });
    }

    poller().run();

    assertThat(atEachAttempt).hasSize(6).allMatch(Optional::isEmpty);
  }

  @Test
  void aLoopWedgedHandingOverItsMessagesFailsLiveness() {
    List<Optional<String>> seen = new ArrayList<>();
    onDispatch = () -> {
      clock.advance(LIVENESS_LIMIT.plusSeconds(1));
      seen.add(liveness.notLiveBecause());
    };
    sqs.thenReceive(() -> messages("m-1"));

    poller().run();

    assertThat(seen).singleElement().satisfies(why -> assertThat(why).isPresent());
  }

  @Test
  void aLoopWaitingForAFreeHandlerStaysLiveHoweverLongTheHandlersTake() throws Exception {
    permits = new Semaphore(0);
    List<Optional<String>> inReceive = new ArrayList<>();
    sqs.thenReceive(() -> {
      inReceive.add(liveness.notLiveBecause());
      return messages("m-1");
    });
    Thread loop = new Thread(poller(), "test-sqs-poller");
    loop.start();
    await().atMost(Duration.ofSeconds(10)).until(permits::hasQueuedThreads);

    clock.advance(Duration.ofHours(1));

    assertThat(liveness.notLiveBecause()).as("at capacity for an hour").isEmpty();
    permits.release(2); // one for m-1, one for the receive that ends the script
    loop.join(Duration.ofSeconds(10).toMillis());
    assertThat(loop.isAlive()).isFalse();
    assertThat(inReceive).as("the receive right after the wait").containsExactly(Optional.empty());
  }

  @Test
  void aLoopWaitingForRoomInTheHourlyCapStaysLiveHoweverLongItWaits() {
    AtomicInteger checks = new AtomicInteger();
    capRoom = () -> {
      if (checks.incrementAndGet() == 2) {
        clock.advance(Duration.ofHours(2));
      }
      return checks.get() > 2;
    };
    List<Optional<String>> inReceive = new ArrayList<>();
    sqs.thenReceive(() -> {
      inReceive.add(liveness.notLiveBecause());
      return messages("m-1");
    });

    poller().run();

    assertThat(livenessWhileSleeping).isNotEmpty().allMatch(Optional::isEmpty);
    assertThat(inReceive).containsExactly(Optional.empty());
  }

  @Test
  void aLoopPausedForAnAccountFaultStaysLiveBetweenItsProbes() {
    pause = new AccountFaultPause(clock, Duration.ofMinutes(5), Duration.ofMinutes(20));
    pause.faulted("UnauthorizedOperation", "denied");
    sqs.thenReceive(() -> messages("probe-1"));

    poller().run();

    assertThat(slept.stream().mapToLong(Duration::toMillis).sum()).as("waited for the probe")
        .isGreaterThan(LIVENESS_LIMIT.toMillis());
    assertThat(livenessWhileSleeping).allMatch(Optional::isEmpty);
  }

  @Test
  void receivesThatKeepFailingAreReadinessBusinessNotLiveness() {
    List<Optional<String>> atEachAttempt = new ArrayList<>();
    List<Optional<String>> readinessAtEachAttempt = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sqs.thenReceive(() -> {
        atEachAttempt.add(liveness.notLiveBecause());
        readinessAtEachAttempt.add(readiness.notReadyBecause());
        clock.advance(Duration.ofSeconds(60)); // the SDK gives up on the call
        throw SqsException.builder().statusCode(503).message("down").build();
      });
    }

    poller().run();

    assertThat(atEachAttempt).hasSize(5).allMatch(Optional::isEmpty);
    assertThat(livenessWhileSleeping).allMatch(Optional::isEmpty);
    assertThat(readinessAtEachAttempt.get(4)).hasValueSatisfying(why -> assertThat(why).startsWith("receive failing"));
  }

  private static ReceiveMessageResponse messages(String... ids) {
    return ReceiveMessageResponse.builder().messages(Arrays.stream(ids).map(id -> Message.builder().messageId(id)
        .receiptHandle("handle-" + id).body("{}").attributes(Map.of(
            MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1",
            MessageSystemAttributeName.SENT_TIMESTAMP, Long.toString(NOW.toEpochMilli()))).build()).toList())
        .build();
  }
}
