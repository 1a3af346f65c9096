package io.launchworker.ops;

import io.launchworker.config.WorkerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.eclipse.jetty.io.ConnectionStatistics;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The admin HTTP server: {@code /metrics} (Prometheus text), {@code /health/live} and {@code /health/ready}
 * (JSON saying why), the status page at {@code /} and its data at {@code /status.json} ({@link AdminRoutes}).
 *
 * <p>Slow or half-open clients cannot stall it: request heads are parsed on a selector, not on a thread per
 * connection; each request head must arrive within {@link Limits#requestReadTime} ({@link RequestReadDeadline});
 * at most {@link Limits#maxConnections} connections are open at once, more wait in the listen backlog; a connection
 * is closed after {@link Limits#maxRequestsPerConnection} answers (counted in
 * {@value WorkerMetrics#ADMIN_CONNECTIONS_CAPPED}). Requests
 * naming a host this server is not known by get 421 ({@link HostAllowList}). Clients pipelining scrapes they never
 * read cannot delay the probes: those are answered on arrival, everything else in turn on a thread of its own
 * ({@link AdminHandler}).
 *
 * <p>Runs on its own daemon threads (named {@code admin-http-*}): one accepts, one selects, two read requests and
 * answer the probes, one renders every other answer ({@code admin-http-render}); one more keeps the deadlines.
 * {@link #close()} stops them; thread-safe.
 */
public final class AdminServer implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;
  private final ConnectionStatistics connections;
  private final ExecutorService render;

  private AdminServer(Server server, ServerConnector connector, ConnectionStatistics connections,
      ExecutorService render) {
    this.server = server;
    this.connector = connector;
    this.connections = connections;
    this.render = render;
  }

  /**
   * What one admin server allows a client.
   *
   * @param maxConnections open at once; more wait, unaccepted, until one closes
   * @param requestReadTime from a connection's opening, or its last response, until a request head has arrived
   * @param idleTimeout the longest a connection may make no progress at all (a client that stopped reading)
   * @param maxRequestsPerConnection answered on one connection; the last answer closes it, and requests pipelined
   *     behind it go unanswered
   */
  record Limits(int maxConnections, Duration requestReadTime, Duration idleTimeout, int maxRequestsPerConnection) {
    /**
     * Probes, a Prometheus or two and a few browsers need a handful of connections; 256 leaves room for many
     * more and still bounds what a flood holds (256 sockets, 256 request-head buffers of 8 KiB). Real clients
     * send a request head of a few hundred bytes at once, so 10 s is generous; a client holding connections
     * must reopen them every 10 s. 100 requests a connection is Apache httpd's MaxKeepAliveRequests: nothing
     * that talks to this port pipelines (the kubelet opens a connection per probe, Prometheus scrapes less often
     * than the read deadline keeps a connection, the status page polls every 3 s), so only a flood meets it,
     * and a few hundred bytes of requests buy at most 100 answers.
     */
    static final Limits DEFAULT = new Limits(256, Duration.ofSeconds(10), Duration.ofSeconds(30), 100);
  }

  /** Starts serving with the host names of {@code launcher.admin.allowed-hosts}; always live. */
  public static AdminServer start(WorkerConfig.Admin admin, PrometheusMeterRegistry registry,
      Supplier<Optional<String>> notReadyBecause, RecentOutcomes recent) throws IOException {
    return start(admin, registry, WorkerHealth.readinessOnly(notReadyBecause), recent);
  }

  /**
   * Starts serving with the host names of {@code launcher.admin.allowed-hosts}.
   *
   * @param health answers the probes and the status page's state line
   * @param recent the decisions the status page shows
   */
  public static AdminServer start(WorkerConfig.Admin admin, PrometheusMeterRegistry registry, WorkerHealth health,
      RecentOutcomes recent) throws IOException {
    return start(admin, Limits.DEFAULT, registry, new AdminRoutes(registry, health, recent));
  }

  /**
   * Starts serving, answering only {@code localhost} and IP literals in the Host header (see {@link HostAllowList}).
   *
   * @param notReadyBecause empty when ready, else the reason
   * @param recent the decisions the status page shows
   */
  public static AdminServer start(String host, int port, PrometheusMeterRegistry registry,
      Supplier<Optional<String>> notReadyBecause, RecentOutcomes recent) throws IOException {
    return start(new WorkerConfig.Admin(port, host), registry, notReadyBecause, recent);
  }

  /** As above, with the probes and the status page's state line answered by {@code health}. */
  public static AdminServer start(String host, int port, PrometheusMeterRegistry registry, WorkerHealth health,
      RecentOutcomes recent) throws IOException {
    return start(new WorkerConfig.Admin(port, host), registry, health, recent);
  }

  /** @param registry where the server counts what its limits cut off */
  static AdminServer start(WorkerConfig.Admin admin, Limits limits, MeterRegistry registry, AdminRoutes routes)
      throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool(4, 2);
    threads.setName("admin-http");
    threads.setDaemon(true);
    threads.setReservedThreads(0);
    ScheduledExecutorScheduler scheduler = new ScheduledExecutorScheduler("admin-http-scheduler", true);
    Server server = new Server(threads, scheduler, null);

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setRequestHeaderSize(8 * 1024);
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(admin.host());
    connector.setPort(admin.port());
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    RequestReadDeadline deadline = new RequestReadDeadline(scheduler, limits.requestReadTime());
    connector.addEventListener(deadline);
    ConnectionStatistics connections = new ConnectionStatistics();
    connector.addBean(connections);
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));

    // One thread: a flood of scrapes costs at most one core, and each connection has at most one request
    // waiting here (HTTP/1.1 answers in order), so the queue holds at most one task per open connection.
    ExecutorService render = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "admin-http-render");
      thread.setDaemon(true);
      return thread;
    });
    InetAddress bound = InetAddress.getByName(admin.host());
    Counter capped = Counter.builder(WorkerMetrics.ADMIN_CONNECTIONS_CAPPED)
        .description("Admin connections closed after their last allowed request; requests pipelined behind it "
            + "went unanswered")
        .register(registry);
    server.setHandler(new AdminHandler(HostAllowList.forServer(admin.host(), bound, admin.allowedHosts()), routes,
        deadline, render, new AdminHandler.RequestLimit(limits.maxRequestsPerConnection(), capped::increment)));
    server.setErrorHandler(new AdminHandler.Errors());
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server, render);
      throw e instanceof IOException io ? io : new IOException("admin server did not start", e);
    }
    return new AdminServer(server, connector, connections, render);
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** Connections open now (for tests of the limit). */
  long openConnections() {
    return connections.getConnections();
  }

  /** The most connections that were open at once since the start (for tests of the limit). */
  long mostConnectionsAtOnce() {
    return connections.getConnectionsMax();
  }

  /** Connections accepted since the start (for tests of the limit). */
  long connectionsAccepted() {
    return connections.getConnectionsTotal();
  }

  @Override
  public void close() {
    stopQuietly(server, render);
  }

  private static void stopQuietly(Server server, ExecutorService render) {
    try {
      server.stop();
    } catch (Exception e) {
      // Stopping closes sockets and ends threads; what fails then has nothing left to clean up.
    } finally {
      // Answers still waiting have lost their connections with the server's stop.
      render.shutdownNow();
    }
  }
}
