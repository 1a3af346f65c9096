package io.launchworker.testing;

import io.launchworker.sandbox.EmbeddedSqs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One embedded ElasticMQ for all tests of a class (about a second to start); each test makes its own queues. */
public abstract class WithEmbeddedSqs {
  protected static EmbeddedSqs sqs;

  @BeforeAll
  static void startSqs() {
    sqs = EmbeddedSqs.start();
  }

  @AfterAll
  static void stopSqs() {
    sqs.close();
  }
}
