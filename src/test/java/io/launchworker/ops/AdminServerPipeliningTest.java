package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.config.WorkerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin server under clients that pipeline many {@code GET /metrics} and never read an answer: the probes
 * must still be answered at once (issue 19: 100 such connections delayed {@code /health/live} by 12–16 s, long
 * enough for the kubelet to restart the pod), and one connection gets only so many answers.
 */
class AdminServerPipeliningTest {
  private static final int CONNECTIONS = 100;
  private static final int REQUESTS_PER_CONNECTION = 200;
  private static final int PROBES = 5;

  /** The registry the worker serves: process meters and every worker meter, so a scrape costs what it does. */
  private final PrometheusMeterRegistry registry = Metrics.prometheus();
  private final List<Socket> held = new ArrayList<>();
  private AdminServer server;

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : held) {
      socket.close();
    }
    server.close();
  }

  @Test
  void probesAnswerPromptlyWhileAHundredConnectionsPipelineMetricsScrapesWithoutReading() throws Exception {
    new WorkerMetrics(registry);
    server = AdminServer.start("127.0.0.1", 0, registry, Optional::empty, new RecentOutcomes(Clock.systemUTC()));
    assertThat(RawHttp.get(server.port(), "/health/live", "127.0.0.1").status()).as("warm-up").isEqualTo(200);
    byte[] pipelined = request("/metrics").repeat(REQUESTS_PER_CONNECTION).getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < CONNECTIONS; i++) {
      pipeline(pipelined);
    }

    // Probes one after another, each on a connection of its own as the kubelet sends them, while the backlog
    // lasts (it lasted 12-16 s before): the slowest is what a probe may meet.
    List<Long> millis = new ArrayList<>();
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < PROBES; i++) {
      long started = System.nanoTime();
      answers.add(probe(i % 2 == 0 ? "/health/live" : "/health/ready"));
      millis.add(Duration.ofNanos(System.nanoTime() - started).toMillis());
    }
    long slowest = millis.stream().mapToLong(Long::longValue).max().orElseThrow();
    System.out.printf("/health/* under %d connections x %d pipelined /metrics: %s ms, slowest %d ms%n",
        CONNECTIONS, REQUESTS_PER_CONNECTION, millis, slowest);

    // The kubelet's probe allows 1 s (operating.md); 3 s leaves room for a loaded CI machine, and is still far
    // below the 12 s the backlog cost before.
    assertThat(Duration.ofMillis(slowest)).as("slowest of %s ms", millis).isLessThan(Duration.ofSeconds(3));
    for (String answer : answers) {
      RawHttp.Response response = RawHttp.parse(answer);
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
    }
  }

  @Test
  void probesAreAnsweredWhileEveryScrapeIsStuck() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger scraping = new AtomicInteger();
    PrometheusMeterRegistry stuck = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) {
      @Override
      public String scrape() {
        scraping.incrementAndGet();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return super.scrape();
      }
    };
    server = AdminServer.start("127.0.0.1", 0, stuck, Optional::empty, new RecentOutcomes(Clock.systemUTC()));
    try {
      // More stuck scrapes than the admin server has request threads.
      for (int i = 0; i < 3; i++) {
        pipeline(request("/metrics").getBytes(StandardCharsets.US_ASCII));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> scraping.get() >= 1);

      assertThat(RawHttp.get(server.port(), "/health/live", "127.0.0.1").status()).isEqualTo(200);
      assertThat(RawHttp.get(server.port(), "/health/ready", "127.0.0.1").status()).isEqualTo(200);
    } finally {
      release.countDown();
    }
  }

  @Test
  void aConnectionIsClosedAfterItsLastAllowedAnswerAndTheCutIsCounted() throws Exception {
    server = AdminServer.start(new WorkerConfig.Admin(0, "127.0.0.1"),
        new AdminServer.Limits(8, Duration.ofSeconds(10), Duration.ofSeconds(30), 3), registry,
        new AdminRoutes(registry, Optional::empty, new RecentOutcomes(Clock.systemUTC())));
    // Probes are answered on arrival, scrapes on the render thread: the answers still come in request order.
    Socket socket = pipeline(String.join("", request("/health/live"), request("/metrics"), request("/health/ready"),
        request("/metrics"), request("/health/live")).getBytes(StandardCharsets.US_ASCII));
    socket.setSoTimeout(10_000);

    String answered = RawHttp.readAll(socket.getInputStream());

    assertThat(answered.split("HTTP/1\\.1 ", -1)).as(answered).hasSize(4);
    assertThat(answered.indexOf("{\"status\":\"UP\"}")).isLessThan(answered.indexOf("# HELP"));
    assertThat(answered.lastIndexOf("# HELP")).isLessThan(answered.lastIndexOf("{\"status\":\"UP\"}"));
    assertThat(RawHttp.parse(answered.substring(answered.lastIndexOf("HTTP/1.1 "))).header("Connection"))
        .hasValue("close");
    assertThat(registry.get(WorkerMetrics.ADMIN_CONNECTIONS_CAPPED).counter().count()).isEqualTo(1.0);
  }

  @Test
  void aScrapeFailingOnTheRenderThreadIsAnswered500NotLeftHanging() throws Exception {
    PrometheusMeterRegistry failing = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) {
      @Override
      public String scrape() {
        throw new IllegalStateException("a meter failed");
      }
    };
    server = AdminServer.start("127.0.0.1", 0, failing, Optional::empty, new RecentOutcomes(Clock.systemUTC()));

    RawHttp.Response response = RawHttp.get(server.port(), "/metrics", "127.0.0.1");

    assertThat(response.status()).isEqualTo(500);
    assertThat(response.header("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(response.body()).doesNotContain("a meter failed");
  }

  private static String request(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }

  /**
   * A GET of this probe on a new connection: whatever came back before the server closed it, waiting up to
   * 30 s (the backlog's 12 s and more).
   */
  private String probe(String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 30_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return RawHttp.readAll(socket.getInputStream());
    }
  }

  /** Opens a connection and writes these requests in one go; the flood never reads what comes back. */
  private Socket pipeline(byte[] requests) throws IOException {
    Socket socket = new Socket();
    held.add(socket);
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
    OutputStream out = socket.getOutputStream();
    out.write(requests);
    out.flush();
    return socket;
  }
}
