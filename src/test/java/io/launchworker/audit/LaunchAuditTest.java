package io.launchworker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.sandbox.ec2.Ec2Emulator;
import io.launchworker.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LaunchAuditTest {
  private final Ec2Emulator emulator = Ec2Emulator.start();
  private final EmulatorLaunches launches = new EmulatorLaunches(emulator);

  @AfterEach
  void stop() {
    launches.close();
    emulator.close();
  }

  @Test
  void readsEveryPageAndGroupsInstancesByToken() {
    for (int i = 0; i < 12; i++) {
      launches.launch("token-" + i, 1);
    }
    launches.launch("token-multi", 2);

    AuditReport report = new LaunchAudit(launches.client(), Clock.systemUTC(), 5).run(Duration.ofHours(24));

    assertThat(report.pages()).as("14 instances in pages of 5").isEqualTo(3);
    assertThat(report.tokens()).hasSize(13);
    assertThat(report.instances()).isEqualTo(14);
    assertThat(report.reservations()).isEqualTo(13);
    assertThat(report.hasDuplicates()).as("two instances of one reservation are one launch").isFalse();
    assertThat(report.instancesByState()).containsOnlyKeys("running").containsEntry("running", 14L);
  }

  @Test
  void aTokenWithTwoReservationsIsADuplicate() {
    emulator.faults().ignoreClientToken(true);
    String first = launches.launch("twice", 1);
    String second = launches.launch("twice", 1);
    launches.launch("once", 1);

    AuditReport report = new LaunchAudit(launches.client(), Clock.systemUTC(), 1000).run(Duration.ofHours(24));

    assertThat(report.hasDuplicates()).isTrue();
    assertThat(report.duplicates()).singleElement().satisfies(t -> {
      assertThat(t.token()).isEqualTo("twice");
      assertThat(t.reservations()).containsExactlyInAnyOrder(first, second);
    });
  }

  @Test
  void instancesWithoutTheWorkersTagAreNotAudited() {
    launches.launchUntagged("someone-else");
    launches.launch("ours", 1);

    AuditReport report = new LaunchAudit(launches.client(), Clock.systemUTC(), 1000).run(Duration.ofHours(24));

    assertThat(report.tokens()).extracting(AuditReport.TokenLaunches::token).containsExactly("ours");
  }

  @Test
  void instancesLaunchedBeforeTheWindowAreLeftOut() {
    emulator.faults().ignoreClientToken(true);
    launches.launch("old", 1);
    launches.launch("old", 1);
    MutableClock twoDaysLater = new MutableClock(Instant.now().plus(Duration.ofDays(2)));

    AuditReport lastDay = new LaunchAudit(launches.client(), twoDaysLater, 1000).run(Duration.ofHours(24));
    AuditReport lastWeek = new LaunchAudit(launches.client(), twoDaysLater, 1000).run(Duration.ofDays(7));

    assertThat(lastDay.tokens()).isEmpty();
    assertThat(lastDay.hasDuplicates()).isFalse();
    assertThat(lastWeek.hasDuplicates()).isTrue();
  }
}
