package io.launchworker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.testing.WithEmbeddedSqs;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/** The poller's own SQS connection: a stop ends a 20 s long poll on ElasticMQ at once, and every later call. */
class ReceiveClientTest extends WithEmbeddedSqs {
  /** Generous for a loaded CI machine; the long poll it cuts short is 20 s. */
  private static final Duration PROMPTLY = Duration.ofSeconds(5);

  private final CountDownLatch sending = new CountDownLatch(1);

  private ReceiveClient client() {
    ExecutionInterceptor onTheWire = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        sending.countDown();
      }
    };
    return ReceiveClient.create(Optional.of(EmbeddedSqs.REGION.id()), Optional.of(sqs.endpoint()),
        StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS), List.of(onTheWire));
  }

  @Test
  void stopEndsALongPollInProgressAtOnce() throws Exception {
    String queue = sqs.createQueue("receive-stop", Duration.ofSeconds(30));
    try (ReceiveClient client = client()) {
      CompletableFuture<ReceiveMessageResponse> receive = CompletableFuture.supplyAsync(
          () -> client.sqs().receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(20)));
      assertThat(sending.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      long start = System.nanoTime();
      client.stop();

      assertThatThrownBy(() -> receive.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SdkClientException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY);
    }
  }

  @Test
  void aReceiveAfterStopFailsWithoutWaitingAndLeavesTheMessageOnTheQueue() {
    String queue = sqs.createQueue("receive-after-stop", Duration.ofSeconds(30));
    sqs.client().sendMessage(b -> b.queueUrl(queue).messageBody("{}"));
    try (ReceiveClient client = client()) {
      client.stop();
      long start = System.nanoTime();

      assertThatThrownBy(() -> client.sqs().receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(20)))
          .isInstanceOf(SdkClientException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY);
    }
    // Nothing was sent, so nothing was received: the message is visible, not hidden for its visibility timeout.
    assertThat(sqs.client().receiveMessage(b -> b.queueUrl(queue)).messages()).hasSize(1);
  }
}
