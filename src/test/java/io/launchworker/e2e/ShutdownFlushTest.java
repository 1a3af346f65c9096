package io.launchworker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.e2e.SandboxHarness.RunningWorker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;

/**
 * A delete flush in progress when the worker stops must land before the clients close: an interrupted flush loses
 * its deletes, and the messages come back to be resolved again (and their result events sent twice).
 */
class ShutdownFlushTest {
  private final SandboxHarness harness = new SandboxHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void aDeleteFlushInProgressAtShutdownIsAwaitedNotInterrupted() throws Exception {
    SlowDeletes slow = new SlowDeletes();
    RunningWorker worker = harness.startWorker(harness.config(o -> o), List.of(slow));
    harness.send(SandboxHarness.request("t3.micro"));
    assertThat(slow.entered.await(20, TimeUnit.SECONDS)).isTrue();

    worker.worker().shutdown();

    assertThat(slow.interrupted).isFalse();
    assertThat(harness.depth(harness.sandbox.queueUrl())).isZero();
  }

  /** SQS answering a DeleteMessageBatch slowly (1 s), as it may under load. */
  private static final class SlowDeletes implements ExecutionInterceptor {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch never = new CountDownLatch(1);
    final AtomicBoolean interrupted = new AtomicBoolean();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (!(context.request() instanceof DeleteMessageBatchRequest)) {
        return;
      }
      entered.countDown();
      try {
        never.await(Duration.ofSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        interrupted.set(true);
        Thread.currentThread().interrupt();
        throw new IllegalStateException("delete flush interrupted", e);
      }
    }
  }
}
