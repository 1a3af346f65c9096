package io.launchworker.sandbox.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one EC2 Query request on an HTTP server thread: parse, latency, throttle, account-wide denial, injected
 * error, action (where IAM may deny and capacity refuse a launch, and a DryRun ends), then answer (or drop the
 * answer of a launch). Runs on many server threads at once; holds no state of its own besides the request-id
 * counter.
 */
final class Ec2Dispatcher implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(Ec2Dispatcher.class);
  private static final String RUN_INSTANCES = "RunInstances";

  private final Ec2Faults faults;
  private final StatsRecorder stats;
  private final Map<String, BiFunction<QueryRequest, String, String>> actions;
  private final AtomicLong requestIds = new AtomicLong();

  Ec2Dispatcher(InstanceStore store, LaunchCatalog catalog, SubnetZones zones, Ec2Faults faults,
      StatsRecorder stats, Clock clock) {
    this.faults = faults;
    this.stats = stats;
    RunInstancesAction run = new RunInstancesAction(store, catalog, zones, faults);
    DescribeInstancesAction describe = new DescribeInstancesAction(store, clock);
    InstanceChangeActions change = new InstanceChangeActions(store);
    DescribeImagesAction images = new DescribeImagesAction(catalog);
    this.actions = Map.of(
        RUN_INSTANCES, run::handle,
        "DescribeInstances", describe::handle,
        "DescribeImages", images::handle,
        "TerminateInstances", change::terminate,
        "CreateTags", change::createTags);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String requestId = String.format("00000000-0000-4000-8000-%012d", requestIds.incrementAndGet());
    try {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String query = exchange.getRequestURI().getRawQuery();
      QueryRequest request = QueryRequest.parse(query == null ? body : query + "&" + body);
      Optional<String> answer = dispatch(request, requestId);
      if (answer.isPresent()) {
        respond(exchange, 200, answer.get());
      } else {
        exchange.close(); // no headers sent: the server closes the connection, the client sees no answer
      }
    } catch (Ec2Error e) {
      respond(exchange, e.httpStatus(), errorXml(e, requestId));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
    } catch (RuntimeException e) {
      log.warn("EC2 emulator failed on request {}", requestId, e);
      respond(exchange, 500, errorXml(new Ec2Error("InternalError", 500, String.valueOf(e)), requestId));
    }
  }

  /** The answer body, or empty when the answer is to be dropped. */
  private Optional<String> dispatch(QueryRequest request, String requestId) throws InterruptedException {
    String action = request.get("Action");
    if (action == null) {
      throw Ec2Error.badRequest("MissingAction", "The request must contain the parameter Action");
    }
    stats.call(action);
    BiFunction<QueryRequest, String, String> handler = actions.get(action);
    if (handler == null) {
      throw Ec2Error.badRequest("InvalidAction", "The action " + action + " is not valid for this web service.");
    }
    boolean dryRun = RUN_INSTANCES.equals(action) && RunInstancesAction.isDryRun(request);
    if (RUN_INSTANCES.equals(action) && !dryRun) {
      stats.runInstancesCall(request.get("ClientToken"));
    }
    try {
      return serve(action, handler, request, requestId);
    } catch (Ec2Error e) {
      if (dryRun) {
        stats.dryRunAnswer(e.code());
      }
      throw e;
    }
  }

  /** Latency, throttle, denial, injected error, action: the steps every call goes through. */
  private Optional<String> serve(String action, BiFunction<QueryRequest, String, String> handler,
      QueryRequest request, String requestId) throws InterruptedException {
    Duration delay = faults.latencyFor(action);
    if (!delay.isZero() && !delay.isNegative()) {
      Thread.sleep(delay.toMillis(), (int) (delay.toNanos() % 1_000_000));
    }
    if (!faults.admit(action)) {
      stats.throttled();
      throw new Ec2Error("RequestLimitExceeded", 503, "Request limit exceeded.");
    }
    Optional<Ec2Error> denied = faults.accountDenial(action);
    if (denied.isPresent()) {
      stats.denial(denied.get().code());
      throw denied.get();
    }
    Optional<Ec2Error> injected = faults.injectedError(action);
    if (injected.isPresent()) {
      stats.injectedError(injected.get().code());
      throw injected.get();
    }
    String answer;
    try {
      answer = handler.apply(request, requestId);
    } catch (Ec2Error e) {
      if (e.refusal()) {
        stats.capacityRefusal(e.code());
      }
      if (e.denial()) {
        stats.denial(e.code());
      }
      throw e;
    }
    if (RUN_INSTANCES.equals(action) && faults.dropThisAnswer()) {
      stats.droppedAnswer();
      return Optional.empty();
    }
    return Optional.of(answer);
  }

  private static String errorXml(Ec2Error error, String requestId) {
    return new Xml().open("Response").open("Errors").open("Error")
        .leaf("Code", error.code()).leaf("Message", error.getMessage())
        .close("Error").close("Errors").leaf("RequestID", requestId).close("Response").toString();
  }

  private static void respond(HttpExchange exchange, int status, String xml) throws IOException {
    byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
    exchange.close();
  }
}
