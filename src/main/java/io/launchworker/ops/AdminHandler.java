package io.launchworker.ops;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's side of the admin server: stops the request read deadline, answers a request whose Host this server
 * is not known by with 421 and no body, and writes what {@link AdminRoutes} replies to the rest. Every response,
 * Jetty's own errors included ({@link Errors}), carries {@link #SECURITY_HEADERS}.
 *
 * <p>The probes ({@link AdminRoutes#isProbe}) and refusals are answered at once on the request thread; every other
 * path is answered in turn on the {@code render} executor. A backlog of scrapes (clients pipelining
 * {@code GET /metrics} without reading) so waits there, and a request thread never renders: it parses one request
 * of a connection, hands it over and takes the next connection's, and Jetty queues a connection's next pipelined
 * request behind the others once the answer is written. A probe waits for request heads, never for a scrape.
 *
 * <p>Thread-safe (stateless apart from its collaborators); runs on the admin pool's request threads and on the
 * render executor's.
 */
final class AdminHandler extends Handler.Abstract {
  /** No content sniffing (a text/plain 404 echoing a path stays text) and no framing (no clickjacking). */
  static final Map<String, String> SECURITY_HEADERS = Map.of(
      "X-Content-Type-Options", "nosniff",
      "X-Frame-Options", "DENY");
  /** RFC 9110's answer for a request that names an authority this server does not serve. */
  private static final Reply MISDIRECTED = Reply.empty(HttpStatus.MISDIRECTED_REQUEST_421);

  private final HostAllowList hosts;
  private final AdminRoutes routes;
  private final RequestReadDeadline deadline;
  private final Executor render;
  private final RequestLimit limit;

  /**
   * How many requests one connection gets answered, and what to tell when a connection reaches it.
   *
   * @param onCapped called once per connection closed at the limit, on a request thread
   */
  record RequestLimit(int perConnection, Runnable onCapped) {}

  /** @param render where every path but the probes is answered; one thread keeps a flood of scrapes to one core */
  AdminHandler(HostAllowList hosts, AdminRoutes routes, RequestReadDeadline deadline, Executor render,
      RequestLimit limit) {
    this.hosts = hosts;
    this.routes = routes;
    this.deadline = deadline;
    this.render = render;
    this.limit = limit;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Connection connection = request.getConnectionMetaData().getConnection();
    deadline.requestArrived(connection);
    Callback done = deadline.rearmWhenDone(connection, callback);
    if (connection.getMessagesIn() >= limit.perConnection()) {
      // Jetty closes the connection once this answer is written and drops what was pipelined behind it.
      response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
      limit.onCapped().run();
    }
    String path = Request.getPathInContext(request);
    if (!hosts.allows(request.getHeaders().get(HttpHeader.HOST))) {
      writeReply(request, response, MISDIRECTED, done);
    } else if (AdminRoutes.isProbe(path)) {
      writeReply(request, response, routes.reply(request.getMethod(), path), done);
    } else {
      try {
        render.execute(() -> renderReply(request, response, path, done));
      } catch (RejectedExecutionException stopping) {
        done.failed(stopping);
      }
    }
    return true;
  }

  /** On the render executor: a failure becomes Jetty's 500 (through {@link Errors}), not a request left hanging. */
  private void renderReply(Request request, Response response, String path, Callback done) {
    Reply reply;
    try {
      reply = routes.reply(request.getMethod(), path);
    } catch (RuntimeException e) {
      done.failed(e);
      return;
    }
    writeReply(request, response, reply, done);
  }

  static void writeReply(Request request, Response response, Reply reply, Callback callback) {
    response.setStatus(reply.status());
    HttpFields.Mutable headers = response.getHeaders();
    SECURITY_HEADERS.forEach(headers::put);
    if (!reply.contentType().isEmpty()) {
      headers.put(HttpHeader.CONTENT_TYPE, reply.contentType());
    }
    reply.headers().forEach(headers::put);
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    boolean head = HttpMethod.HEAD.is(request.getMethod());
    response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
  }

  /**
   * Jetty's answers to what never reaches {@link AdminHandler} (a malformed request, headers too large):
   * {@code 400 Bad Request} as one line of text with the security headers, no page echoing the request.
   */
  static final class Errors extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
        Callback callback) {
      writeReply(request, response, Reply.text(code, code + " " + HttpStatus.getMessage(code) + "\n"), callback);
    }
  }
}
