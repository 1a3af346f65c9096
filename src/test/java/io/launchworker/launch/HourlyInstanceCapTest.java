package io.launchworker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HourlyInstanceCapTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
  private final HourlyInstanceCap cap = new HourlyInstanceCap(10, clock);

  @Test
  void reservationsBeyondTheCapAreRefusedAndTheCapSaysItIsBinding() {
    assertThat(cap.tryReserve(6)).isNotNull();
    assertThat(cap.tryReserve(4)).isNotNull();

    assertThat(cap.tryReserve(1)).isNull();
    assertThat(cap.binding()).isTrue();
    assertThat(cap.usedInLastHour()).isEqualTo(10);
  }

  @Test
  void roomIsWhatTheLastHourLeaves() {
    cap.tryReserve(9);

    assertThat(cap.hasRoomFor(1)).isTrue();
    assertThat(cap.hasRoomFor(2)).isFalse();
    clock.advance(Duration.ofHours(1));
    assertThat(cap.hasRoomFor(10)).isTrue();
  }

  @Test
  void launchesLeaveTheWindowAfterAnHour() {
    cap.tryReserve(6);
    clock.advance(Duration.ofMinutes(30));
    cap.tryReserve(4);

    assertThat(cap.untilRoom(3)).isEqualTo(Duration.ofMinutes(30));
    clock.advance(Duration.ofMinutes(30));

    assertThat(cap.usedInLastHour()).isEqualTo(4);
    assertThat(cap.tryReserve(6)).isNotNull();
    assertThat(cap.binding()).isFalse();
  }

  @Test
  void aReleasedReservationGivesItsRoomBackAndASettledOneCountsWhatLaunched() {
    HourlyInstanceCap.Reservation failed = cap.tryReserve(5);
    HourlyInstanceCap.Reservation partial = cap.tryReserve(5);

    failed.release();
    partial.settle(2);

    assertThat(cap.usedInLastHour()).isEqualTo(2);
    assertThat(cap.tryReserve(8)).isNotNull();
  }
}
