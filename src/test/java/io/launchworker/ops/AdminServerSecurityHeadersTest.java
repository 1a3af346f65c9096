package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every answer of the admin server, its endpoints', its refusals' and Jetty's own errors', forbids content
 * sniffing and framing.
 */
class AdminServerSecurityHeadersTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private AdminServer server;

  @BeforeEach
  void start() throws Exception {
    server = AdminServer.start("127.0.0.1", 0, registry, () -> Optional.of("account fault"),
        new RecentOutcomes(Clock.systemUTC()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static void assertSecurityHeaders(RawHttp.Response response) {
    assertThat(response.header("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(response.header("X-Frame-Options")).hasValue("DENY");
    assertThat(response.header("Server")).as("no version to fingerprint").isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET / 200", "GET /index.html 200", "GET /status.json 200", "POST /status.json 405",
      "GET /metrics 200", "GET /health/live 200", "GET /health/ready 503", "HEAD /health/live 200",
      "GET /favicon.ico 404"})
  void everyEndpointsAnswerCarriesTheHeaders(String exchange) throws Exception {
    String[] words = exchange.split(" ");

    RawHttp.Response response = RawHttp.send(server.port(), words[0] + " " + words[1] + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + server.port() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(Integer.parseInt(words[2]));
    assertSecurityHeaders(response);
  }

  @ParameterizedTest
  @ValueSource(strings = {"misdirected", "malformed request line", "header too large"})
  void refusalsAndJettysOwnErrorsCarryTheHeadersAndNoPage(String kind) throws Exception {
    String host = "Host: 127.0.0.1:" + server.port() + "\r\n";
    String request = switch (kind) {
      case "misdirected" -> "GET /status.json HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n";
      case "malformed request line" -> "GET /status.json HTTP/9.9 extra\r\n" + host + "\r\n";
      default -> "GET /status.json HTTP/1.1\r\n" + host + "X-Filler: " + "a".repeat(16 * 1024) + "\r\n\r\n";
    };

    RawHttp.Response response = RawHttp.send(server.port(), request);

    assertThat(response.status()).isBetween(400, 499);
    assertSecurityHeaders(response);
    assertThat(response.body()).doesNotContain("<").doesNotContain("status.json");
  }
}
