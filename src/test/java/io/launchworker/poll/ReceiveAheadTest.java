package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.config.ConfigLoader;
import io.launchworker.config.WorkerConfig;
import io.launchworker.launch.Ec2Budget;
import io.launchworker.message.OutcomeKind;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.sim.LagModel;
import io.launchworker.sim.QueuedMessage;
import io.launchworker.sim.SimEc2;
import io.launchworker.sim.SimQueue;
import io.launchworker.sim.SimSqs;
import io.launchworker.sim.SqsOperation;
import io.launchworker.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Issue 5/5 item 4, a freed permit filled without waiting for the next receive: the real parts of a worker (built by
 * {@link WorkerAssembly}) on the simulation's SQS and EC2 and a fake clock, handlers run one step at a time by the
 * test. What a permit waits for, what a message received ahead of a free handler is (not in flight, extended, given
 * back on stop), and that a delete failing after its permit went to the next message still ends in one launch.
 */
class ReceiveAheadTest {
  private static final Instant NOW = Instant.parse("2026-12-08T12:00:00Z");
  private static final String AMI = "ami-0123456789abcdef0";
  private static final Duration VISIBILITY = Duration.ofSeconds(30);

  private final MutableClock clock = new MutableClock(NOW);
  private final SimSqs sqs = new SimSqs(clock, new SplittableRandom(1));
  private final SimQueue source = sqs.addQueue("launch-requests").visibilityTimeout(VISIBILITY);
  private final SimQueue dlq = sqs.addQueue("launch-requests-dlq");
  private final SimEc2 ec2 = new SimEc2(clock, new SplittableRandom(2)).lag(LagModel.none());
  private final RecordingExecutor handlers = new RecordingExecutor();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<OutcomeKind> outcomes = new ArrayList<>();
  private final List<String> decided = new ArrayList<>();
  private final List<String> sent = new ArrayList<>();

  /** A worker with {@code maxInFlight} handlers and {@code ahead} messages received ahead of them, its cap counted. */
  private Worker.Parts worker(int maxInFlight, int ahead) {
    Map<String, Object> o = new HashMap<>();
    o.put("launcher.queue-url", source.url());
    o.put("launcher.dlq-url", dlq.url());
    o.put("launcher.aws.region", "us-east-1");
    o.put("launcher.admin.port", -1);
    o.put("launcher.max-in-flight", maxInFlight);
    o.put("launcher.sqs.visibility-timeout", VISIBILITY.toSeconds() + "s");
    o.put("launcher.policy.allowed-image-ids", List.of(AMI));
    o.put("launcher.policy.allowed-instance-types", List.of("t3.micro"));
    o.put("launcher.policy.allowed-subnet-ids", List.of("*"));
    o.put("launcher.policy.allowed-security-group-ids", List.of("*"));
    WorkerConfig config = ConfigLoader.load(Optional.empty(), Map.of(), o);
    Worker.Parts parts = WorkerAssembly.forConfig(config).sqs(sqs).ec2(ec2).budget(Ec2Budget.unlimited())
        .metrics(new WorkerMetrics(meters)).clock(clock).random(new SplittableRandom(3))
        .consistencyWaiter((d, stopping) -> {
          throw new AssertionError("no message here may wait for the consistency window");
        })
        .handlerExecutor(handlers).receiveAhead(ahead).maxReceiveCount(OptionalInt.empty())
        .listener(d -> {
          outcomes.add(d.outcome().kind());
          decided.add(d.messageId());
        }).buildParts();
    parts.cap().refresh();
    return parts;
  }

  private void send(int count) {
    for (int i = 0; i < count; i++) {
      sent.add(sqs.sendMessage(SendMessageRequest.builder().queueUrl(source.url())
          .messageBody("{\"imageId\":\"" + AMI + "\",\"instanceType\":\"t3.micro\",\"requestId\":\"r-" + i + "\"}")
          .build()).messageId());
    }
  }

  private double gauge(String name) {
    return meters.get(name).gauge().value();
  }

  private int receives() {
    return sqs.calls(SqsOperation.RECEIVE_MESSAGE);
  }

  @Test
  void aFreedHandlerStartsTheMessageReceivedAheadWithoutAReceiveAndWithoutWaitingForTheDeleteFlush() {
    Worker.Parts parts = worker(2, 1);
    send(4);

    assertThat(parts.poller().pollOnce()).isTrue();
    assertThat(handlers.queued()).as("started").isEqualTo(2);
    assertThat(gauge(WorkerMetrics.IN_FLIGHT)).isEqualTo(2);
    assertThat(gauge(WorkerMetrics.RECEIVED_AHEAD)).isEqualTo(1);
    int receivesBefore = receives();

    handlers.runNext();

    assertThat(outcomes).containsExactly(OutcomeKind.LAUNCHED);
    assertThat(parts.deletes().pendingCount()).as("its delete waits for the next flush").isEqualTo(1);
    assertThat(receives()).as("no receive in between").isEqualTo(receivesBefore);
    assertThat(handlers.queued()).as("the message received ahead took the freed handler").isEqualTo(2);
    assertThat(gauge(WorkerMetrics.RECEIVED_AHEAD)).isZero();
    assertThat(gauge(WorkerMetrics.IN_FLIGHT)).isEqualTo(2);
    // The permit came back with the settle: the next receive fills the place ahead, the delete still unsent.
    assertThat(parts.poller().pollOnce()).isTrue();
    assertThat(gauge(WorkerMetrics.RECEIVED_AHEAD)).isEqualTo(1);
    assertThat(parts.deletes().pendingCount()).isEqualTo(1);
  }

  @Test
  void withoutMessagesAheadAPermitStillComesBackWhenTheDeleteIsQueuedNotWhenItIsSent() {
    Worker.Parts parts = worker(1, 0);
    send(2);
    assertThat(parts.poller().pollOnce()).isTrue();
    assertThat(parts.poller().pollOnce()).as("the only permit is taken").isFalse();

    handlers.runNext();

    assertThat(parts.deletes().pendingCount()).isEqualTo(1);
    assertThat(parts.poller().pollOnce()).as("the permit is free before the flush").isTrue();
    assertThat(handlers.queued()).isEqualTo(1);
  }

  @Test
  void messagesReceivedAheadAreHeldInvisibleAndExtendedButAreNotInFlight() {
    Worker.Parts parts = worker(1, 2);
    send(3);
    parts.poller().pollOnce();

    assertThat(gauge(WorkerMetrics.IN_FLIGHT)).isEqualTo(1);
    assertThat(gauge(WorkerMetrics.RECEIVED_AHEAD)).isEqualTo(2);
    // Waiting as long as a slow launch may: the keeper extends them like the one being handled.
    clock.advance(VISIBILITY.minusSeconds(5));
    parts.keeper().tick();
    clock.advance(Duration.ofSeconds(10));
    assertThat(source.visible()).as("none came back while held").isEmpty();
    assertThat(source.inFlight()).hasSize(3);
  }

  @Test
  void stoppingReleasesMessagesReceivedAheadAtOnceWithoutLaunchingThemAndStillSendsQueuedDeletes() {
    Worker.Parts parts = worker(1, 1);
    send(3);
    parts.poller().pollOnce(); // the first starts, the second waits
    handlers.runNext(); // the first launches; its delete is queued; the second takes the handler
    parts.poller().pollOnce(); // the third is received ahead

    Worker.ShutdownReport report = new Worker(parts).shutdown();

    String launched = decided.get(0);
    List<String> others = sent.stream().filter(id -> !id.equals(launched)).toList();
    assertThat(ec2.instances()).as("only the first launched").hasSize(1);
    assertThat(source.visible()).extracting(QueuedMessage::messageId).as("given back at once")
        .containsExactlyInAnyOrderElementsOf(others);
    assertThat(source.messages()).extracting(QueuedMessage::messageId).as("the first deleted at the stop")
        .doesNotContain(launched);
    assertThat(report.released()).isEqualTo(2);
    assertThat(outcomes).containsExactly(OutcomeKind.LAUNCHED, OutcomeKind.RELEASED, OutcomeKind.RELEASED);
    assertThat(gauge(WorkerMetrics.RECEIVED_AHEAD)).isZero();
  }

  @Test
  void aDeleteThatFailsAfterItsPermitWentToTheNextMessageEndsInOneLaunchFoundByItsToken() {
    Worker.Parts parts = worker(1, 0);
    send(2);
    parts.poller().pollOnce();
    handlers.runNext(); // launched; delete queued; permit back
    parts.poller().pollOnce(); // the second message has the permit

    sqs.faults().failNext(SqsOperation.DELETE_MESSAGE_BATCH, 3);
    for (int i = 0; i < 3; i++) {
      parts.deletes().flush();
    }

    assertThat(parts.deletes().pendingCount()).as("given up after its attempts").isZero();
    assertThat(meters.get(WorkerMetrics.DELETE_FAILURES).counters().stream().mapToDouble(c -> c.count()).sum())
        .isEqualTo(3);
    handlers.runNext(); // the second launches
    parts.deletes().flush();
    clock.advance(VISIBILITY.plusSeconds(1));
    assertThat(source.visible()).extracting(QueuedMessage::messageId).containsExactly(decided.get(0));
    parts.poller().pollOnce();
    handlers.runNext();

    assertThat(outcomes).containsExactly(OutcomeKind.LAUNCHED, OutcomeKind.LAUNCHED, OutcomeKind.ALREADY_LAUNCHED);
    assertThat(decided.get(2)).as("the message whose delete failed").isEqualTo(decided.get(0));
    assertThat(ec2.instances()).hasSize(2);
    parts.deletes().flush();
    assertThat(source.messages()).isEmpty();
  }
}
