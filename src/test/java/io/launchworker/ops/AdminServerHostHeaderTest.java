package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.launchworker.config.WorkerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DNS rebinding, over real HTTP: a request naming a host the admin server is not known by gets 421 and not one
 * byte of data, whatever the path; the names it is known by get their answer.
 */
class AdminServerHostHeaderTest {
  private static final List<String> PATHS = List.of("/", "/index.html", "/status.json", "/metrics", "/health/live",
      "/health/ready", "/nowhere");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private AdminServer server;

  private AdminServer start(String host, String... allowedHosts) throws Exception {
    server = AdminServer.start(new WorkerConfig.Admin(0, host, List.of(allowedHosts)), registry, Optional::empty,
        new RecentOutcomes(Clock.systemUTC()));
    return server;
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private RawHttp.Response get(String path, String host) throws Exception {
    return RawHttp.get(server.port(), path, host.replace("{port}", Integer.toString(server.port())));
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:{port}", "localhost:{port}", "localhost", "[::1]:{port}", "localhost:19400"})
  void onLoopbackTheLoopbackNamesAreAnswered(String host) throws Exception {
    start("127.0.0.1");

    RawHttp.Response response = get("/health/live", host);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"evil.example:{port}", "evil.example", "127.0.0.1.nip.io:{port}", "10.0.0.7:{port}",
      "localhost.evil.example:{port}"})
  void onLoopbackAnyOtherHostGets421AndNoBodyOnEveryPath(String host) throws Exception {
    start("127.0.0.1");

    for (String path : PATHS) {
      RawHttp.Response response = get(path, host);

      assertThat(response.status()).as(path).isEqualTo(421);
      assertThat(response.body()).as(path).isEmpty();
      assertThat(response.header("Content-Length")).as(path).hasValue("0");
      assertThat(response.header("Content-Type")).as(path).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.1.2.3:9400", "[fd00::1]:9400", "worker:9400", "127.0.0.1:{port}"})
  void onEveryInterfaceIpLiteralsAndTheAllowedNamesAreAnswered(String host) throws Exception {
    start("0.0.0.0", "worker");

    RawHttp.Response response = get("/metrics", host);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("Content-Type")).hasValue(AdminRoutes.PROMETHEUS_TEXT);
  }

  @Test
  void onEveryInterfaceANameNotAllowedStillGets421AndNoBody() throws Exception {
    start("0.0.0.0", "worker");

    RawHttp.Response response = get("/status.json", "worker.evil.example:9400");

    assertThat(response.status()).isEqualTo(421);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void aHostWithoutAValidPortIsABadRequestBeforeAnyEndpointIsAsked() throws Exception {
    start("127.0.0.1");

    RawHttp.Response response = get("/status.json", "localhost:http");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("400 Bad Request\n");
  }

  @Test
  void anHttp10RequestWithoutHostIsAnswered() throws Exception {
    start("127.0.0.1");

    RawHttp.Response response = RawHttp.send(server.port(), "GET /health/live HTTP/1.0\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
  }
}
