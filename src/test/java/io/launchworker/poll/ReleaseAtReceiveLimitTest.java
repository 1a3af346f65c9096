package io.launchworker.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.message.InFlightMessage;
import io.launchworker.message.InFlightRegistry;
import io.launchworker.message.MessageAttributes;
import io.launchworker.ops.WorkerMetrics;
import io.launchworker.settle.DeadLetterQueue;
import io.launchworker.settle.DeleteBatcher;
import io.launchworker.settle.Settler;
import io.launchworker.testing.MutableClock;
import io.launchworker.testing.ScriptedSqs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/**
 * A message released without being handled (received while stopping, queued when the grace ran out, behind a FIFO
 * group's retry) at the queue's last receive is dead-lettered as receive_limit_reached under its token (here the
 * worker's own attribute from an earlier redrive), not its new message ID: a redrive of it must find the launch.
 */
class ReleaseAtReceiveLimitTest {
  @Test
  void aReleaseAtTheLastReceiveIsDeadLetteredUnderItsTokenNotItsMessageId() {
    Instant now = Instant.parse("2026-12-07T12:00:00Z");
    MutableClock clock = new MutableClock(now);
    ScriptedSqs sqs = new ScriptedSqs();
    WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
    Settler settler = new Settler(sqs, "https://q", new DeleteBatcher(sqs, "https://q", metrics),
        new DeadLetterQueue(sqs, "https://dlq", metrics), Optional.empty(), 3, metrics, clock, OptionalInt.of(5));
    InFlightRegistry registry = new InFlightRegistry();
    MessageRun run = new MessageRun(null, settler, List.of(), registry, new Semaphore(0), clock, () -> true);
    InFlightMessage redriven = new InFlightMessage("m-new", "h-5",
        "{\"imageId\":\"ami-0123456789abcdef0\",\"instanceType\":\"t3.micro\"}", 5, now, now, now.plusSeconds(60),
        Map.of(MessageAttributes.TOKEN, "orig-token"), Optional.empty());
    registry.register(redriven);

    run.release(redriven);

    assertThat(sqs.sends()).isNotEmpty().allSatisfy(s -> assertThat(s.messageAttributes().get(MessageAttributes.TOKEN)
        .stringValue()).isEqualTo("orig-token"));
  }
}
