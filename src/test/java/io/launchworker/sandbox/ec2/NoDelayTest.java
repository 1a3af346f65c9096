package io.launchworker.sandbox.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The emulator's answers leave at once: without TCP_NODELAY the JDK server's body waited for the client's delayed
 * ACK of the headers, 40 ms added to every call's injected latency (the bench measured 43 ms against 0.7 ms).
 */
class NoDelayTest extends EmulatorTest {
  @Test
  void aStartedEmulatorHasTheJdkServerSendAnswersWithoutNaglesDelay() {
    assertThat(System.getProperty(Ec2Emulator.NO_DELAY)).isEqualTo("true");
  }
}
