package io.launchworker.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.launchworker.config.WorkerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin server under clients that connect and never finish a request: it keeps answering the probes, cuts
 * off request heads that take too long, and holds no more connections than its limit.
 */
class AdminServerSlowClientsTest {
  /** What half-open clients send before they stop: nothing, part of a request line, part of the headers. */
  private static final List<String> PARTIAL_REQUESTS = List.of("", "GET /health/li",
      "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Socket> held = new ArrayList<>();
  private AdminServer server;

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : held) {
      socket.close();
    }
    server.close();
  }

  private HttpResponse<String> live(Duration timeout) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health/live"))
        .timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Connects and sends the start of a request, then holds the connection open without another byte. */
  private Socket halfOpen(String partial) throws IOException {
    Socket socket = new Socket();
    held.add(socket);
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
    OutputStream out = socket.getOutputStream();
    out.write(partial.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  @Test
  void livenessAnswersWithinASecondWhileTwoHundredHalfOpenConnectionsAreHeld() throws Exception {
    server = AdminServer.start("127.0.0.1", 0, registry, Optional::empty, new RecentOutcomes(Clock.systemUTC()));
    assertThat(live(Duration.ofSeconds(10)).statusCode()).as("warm-up").isEqualTo(200);
    for (int i = 0; i < 200; i++) {
      halfOpen(PARTIAL_REQUESTS.get(i % PARTIAL_REQUESTS.size()));
    }

    HttpResponse<String> response = live(Duration.ofSeconds(1));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
  }

  @Test
  void aRequestHeadTricklingInByteByByteIsCutOffAtTheReadDeadlineUnanswered() throws Exception {
    server = startWith(new AdminServer.Limits(8, Duration.ofMillis(300), Duration.ofMinutes(1), 100));
    Socket socket = halfOpen("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try {
      // One byte every 50 ms: an idle timeout would never fire, however long the head takes.
      trickle.scheduleWithFixedDelay(() -> {
        try {
          socket.getOutputStream().write('a');
        } catch (IOException closedByTheServer) {
          throw new IllegalStateException(closedByTheServer);
        }
      }, 0, 50, TimeUnit.MILLISECONDS);
      socket.setSoTimeout(10_000);

      assertThat(readUntilClosed(socket)).as("bytes answered").isZero();
    } finally {
      trickle.shutdownNow();
    }
  }

  @Test
  void aKeepAliveConnectionIsClosedWhenItsNextRequestDoesNotArriveInTime() throws Exception {
    server = startWith(new AdminServer.Limits(8, Duration.ofMillis(300), Duration.ofMinutes(1), 100));
    Socket socket = halfOpen("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    socket.setSoTimeout(10_000);

    String answered = RawHttp.readAll(socket.getInputStream());

    assertThat(answered).startsWith("HTTP/1.1 200 ").endsWith("{\"status\":\"UP\"}");
  }

  @Test
  void connectionsBeyondTheLimitWaitUnacceptedUntilOneCloses() throws Exception {
    server = startWith(new AdminServer.Limits(4, Duration.ofMinutes(1), Duration.ofMinutes(1), 100));
    for (int i = 0; i < 10; i++) {
      halfOpen("");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 4);

    for (Socket socket : held) {
      socket.close();
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> server.connectionsAccepted() == 10 && server.openConnections() == 0);

    assertThat(server.mostConnectionsAtOnce()).isEqualTo(4);
    assertThat(live(Duration.ofSeconds(10)).statusCode()).isEqualTo(200);
  }

  private AdminServer startWith(AdminServer.Limits limits) throws IOException {
    return AdminServer.start(new WorkerConfig.Admin(0, "127.0.0.1"), limits, registry,
        new AdminRoutes(registry, Optional::empty, new RecentOutcomes(Clock.systemUTC())));
  }

  /** Reads until the server closes the connection (or resets it); how many bytes came first. */
  private static int readUntilClosed(Socket socket) throws IOException {
    int count = 0;
    try {
      InputStream in = socket.getInputStream();
      while (in.read() >= 0) {
        count++;
      }
    } catch (SocketException reset) {
      // The server closed with data unread (the trickled bytes): a reset, no answer.
    }
    return count;
  }
}
