package io.launchworker.deploy;

import io.launchworker.config.WorkerConfig;
import io.launchworker.ops.AdminServer;
import io.launchworker.ops.Metrics;
import io.launchworker.ops.RecentOutcomes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The worker's real admin server on a free loopback port, so a test can ask whether the paths that the
 * deployment files name are the ones the worker serves, and whether the host names they reach it by are ones
 * it answers. Not thread-safe; close after use.
 */
final class AdminEndpoints implements AutoCloseable {
  private final AdminServer server;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  AdminEndpoints() throws IOException {
    this(List.of());
  }

  /** A server that also answers these host names, as {@code launcher.admin.allowed-hosts} would make it. */
  AdminEndpoints(List<String> allowedHosts) throws IOException {
    this.server = AdminServer.start(new WorkerConfig.Admin(0, "127.0.0.1", allowedHosts), Metrics.prometheus(),
        Optional::empty, new RecentOutcomes(java.time.Clock.systemUTC()));
  }

  /** The loopback port the server listens on. */
  int port() {
    return server.port();
  }

  /** The HTTP status of a GET on a path of a ready worker. */
  int status(String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(5)).GET().build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /**
   * The HTTP status of a GET on a path with this Host header, as a client that reached the worker by that name
   * sends it (over a plain socket: Java's HttpClient will not set Host).
   */
  int status(String path, String host) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      return Integer.parseInt(statusLine.substring(9, 12));
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
