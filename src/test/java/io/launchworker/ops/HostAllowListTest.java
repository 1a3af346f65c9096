package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which Host header values the admin server answers, by the address it is bound to. */
class HostAllowListTest {
  private static HostAllowList boundTo(String host, String... names) throws Exception {
    return HostAllowList.forServer(host, InetAddress.getByName(host), List.of(names));
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.0.0.1:9400", "localhost", "localhost:19400", "LOCALHOST:9400",
      "[::1]", "[::1]:9400", "[0:0:0:0:0:0:0:1]:9400", " localhost:9400 "})
  void onLoopbackLocalhostAndTheLoopbackAddressesAreAnsweredWithAnyPort(String host) throws Exception {
    assertThat(boundTo("127.0.0.1").allows(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"evil.example", "evil.example:9400", "localhost.evil.example", "127.0.0.1.nip.io:9400",
      "10.0.0.7:9400", "[fd00::1]:9400", "0.0.0.0:9400", "localhost:http", "localhost:65536", "localhost:",
      ":9400", "", "[::1", "[::1]9400", "::1", "[evil.example]:9400", "127.0.0.1:9400:9400", "0x7f.0.0.1"})
  void onLoopbackEveryOtherNameAnyOtherAddressAndMalformedValuesAreRefused(String host) throws Exception {
    assertThat(boundTo("127.0.0.1").allows(host)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.1.2.3:9400", "192.168.7.9", "[fd00::1]:9400", "[fe80::1]", "127.0.0.1:9400",
      "localhost", "worker:9400", "Worker", "launch-worker.ops.svc:9400"})
  void onEveryInterfaceAnyIpLiteralAndTheListedNamesAreAnswered(String host) throws Exception {
    assertThat(boundTo("0.0.0.0", "worker", "launch-worker.ops.svc").allows(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"evil.example:9400", "worker.evil.example", "ops.svc", "10.1.2.300:9400", "10.1.2:9400"})
  void onEveryInterfaceNamesNotListedAreStillRefused(String host) throws Exception {
    assertThat(boundTo("0.0.0.0", "worker", "launch-worker.ops.svc").allows(host)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.5:9400", "10.0.0.5", "localhost:9400", "admin.internal"})
  void onOneAddressThatAddressAndTheListedNamesAreAnswered(String host) throws Exception {
    HostAllowList list = HostAllowList.forServer("10.0.0.5", InetAddress.getByName("10.0.0.5"),
        List.of("admin.internal"));

    assertThat(list.allows(host)).isTrue();
    assertThat(list.allows("10.0.0.6:9400")).as("another address").isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"my-laptop", "my-laptop:9400"})
  void aConfiguredHostNameIsAnsweredByThatName(String host) throws Exception {
    HostAllowList list = HostAllowList.forServer("my-laptop", InetAddress.getByName("127.0.0.1"), List.of());

    assertThat(list.allows(host)).isTrue();
  }

  @org.junit.jupiter.api.Test
  void aRequestWithoutHostIsNoBrowserAndIsAnswered() throws Exception {
    assertThat(boundTo("127.0.0.1").allows(null)).isTrue();
  }
}
