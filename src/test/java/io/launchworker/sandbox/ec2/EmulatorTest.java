package io.launchworker.sandbox.ec2;

import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** A fresh emulator per test and an SDK client that does not retry, so each call's answer is visible as is. */
abstract class EmulatorTest {
  Ec2Emulator emulator;
  Ec2Clients clients;
  Ec2Client ec2;

  /** The emulator's time; a test that moves time by hand gives its own clock. */
  Clock clock() {
    return Clock.systemUTC();
  }

  @BeforeEach
  void startEmulator() {
    emulator = Ec2Emulator.start(clock());
    clients = new Ec2Clients(emulator);
    ec2 = clients.notRetrying();
  }

  @AfterEach
  void stopEmulator() {
    clients.close();
    emulator.close();
  }
}
