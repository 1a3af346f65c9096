package io.launchworker.deploy;

import io.launchworker.ops.AdminServer;
import io.launchworker.ops.Metrics;
import io.launchworker.ops.RecentOutcomes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The worker's real admin server on a free loopback port, so a test can ask whether the paths that the
 * deployment files name are the ones the worker serves. Not thread-safe; close after use.
 */
final class AdminEndpoints implements AutoCloseable {
  private final AdminServer server;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  AdminEndpoints() throws IOException {
    this.server = AdminServer.start("127.0.0.1", 0, Metrics.prometheus(), Optional::empty,
        new RecentOutcomes(java.time.Clock.systemUTC()));
  }

  /** The HTTP status of a GET on a path of a ready worker. */
  int status(String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(5)).GET().build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Override
  public void close() {
    server.close();
  }
}
