package io.launchworker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.sun.net.httpserver.HttpServer;
import io.launchworker.settle.Ec2ErrorClassifier;
import io.launchworker.settle.ErrorClass;
import io.launchworker.testing.LogCapture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Issue 17, case 7: an EC2 endpoint answering with a body that is not EC2's error document (a proxy's 502 page,
 * moto's 500 for a filter it does not implement) gives a service exception without an error code. The project's
 * EC2 client must hand that exception to the caller as it is, decide about repeating it without throwing inside
 * the SDK's retry predicate, and the classifier must treat it as EC2 being unavailable.
 */
class Ec2ErrorWithoutCodeTest {
  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"));
  /** The SDK logs a throwing retry predicate here: at WARN the first time, at DEBUG after. */
  private static final String RETRY_LOGGER = "software.amazon.awssdk.retries";

  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
  private HttpServer server;
  private LogCapture logs;

  @BeforeEach
  void captureTheSdksRetryLog() {
    logging.getLogger(RETRY_LOGGER).setLevel(Level.DEBUG);
    logs = new LogCapture();
  }

  @AfterEach
  void stop() {
    logs.close();
    logging.getLogger(RETRY_LOGGER).setLevel(null);
    if (server != null) {
      server.stop(0);
    }
  }

  @ParameterizedTest(name = "{0} {1} ({2})")
  @CsvSource(delimiter = '|', value = {
      "502 | text/html  | <html>Bad Gateway</html>",
      "500 | text/plain | The filter 'client-token' for DescribeInstances has not been implemented in Moto yet.",
      "503 | text/xml   | <?xml version=\"1.0\"?><Response><Errors><Error><Message>down</Message></Error></Errors></Response>",
  })
  void aRunInstancesAnsweredWithoutAnErrorCodeFailsAsTheServiceExceptionOnceAndIsRetriedByTheWorker(int status,
      String contentType, String body) throws IOException {
    answerEverythingWith(status, contentType, body);

    Throwable failure;
    try (Ec2Client ec2 = client()) {
      failure = catchThrowable(() -> ec2.runInstances(r -> r.imageId("ami-0123456789abcdef0").minCount(1).maxCount(1)
          .clientToken("codeless")));
    }

    assertThat(failure).as("the SDK's exception, not a NullPointerException from a predicate")
        .isInstanceOfSatisfying(AwsServiceException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(status);
          assertThat(e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode())
              .as("the premise: no error code").isNull();
        });
    assertThat(calls("RunInstances")).as("it may have launched: not repeated by the SDK").isEqualTo(1);
    assertThat(logs.count("predicate threw")).as(logs.text()).isZero();
    ErrorClass error = new Ec2ErrorClassifier().classify(failure);
    assertThat(error.action()).isEqualTo(ErrorClass.Action.RETRY);
    assertThat(error.reason()).isEqualTo("ec2_unavailable");
    assertThat(error.mayHaveLaunched()).isTrue();
    assertThat(error.code()).isEqualTo("http-" + status);
    assertThat(new Ec2ErrorClassifier().classifyCode(null, status)).as("the code-only entry point too")
        .isEqualTo(error);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "502 | text/html  | <html>Bad Gateway</html>",
      "500 | text/plain | The filter 'client-token' for DescribeInstances has not been implemented in Moto yet.",
  })
  void aLookUpAnsweredWithoutAnErrorCodeIsStillRepeatedByTheSdkAsAnyFailingLookUp(int status, String contentType,
      String body) throws IOException {
    answerEverythingWith(status, contentType, body);

    Throwable failure;
    try (Ec2Client ec2 = client()) {
      failure = catchThrowable(() -> ec2.describeInstances(r -> r.maxResults(5)));
    }

    assertThat(failure).isInstanceOf(AwsServiceException.class);
    assertThat(calls("DescribeInstances")).as("a throwing predicate stopped the SDK's own retries").isGreaterThan(1);
    assertThat(logs.count("predicate threw")).as(logs.text()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"RunInstances, true", "DescribeInstances, false"})
  void theRetryPredicateDecidesOnAServiceExceptionWithoutDetailsOrCode(String operation, boolean neverRepeated) {
    List<AwsServiceException> failures = List.of(
        AwsServiceException.builder().statusCode(502).message("Bad Gateway").build(),
        AwsServiceException.builder().statusCode(500).awsErrorDetails(
            software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder().errorMessage("not EC2's").build())
            .build());
    for (AwsServiceException failure : failures) {
      assertThat(AwsClients.neverRepeatedOnEc2(software.amazon.awssdk.retries.api.RefreshRetryTokenRequest.builder()
          .token(new software.amazon.awssdk.retries.api.RetryToken() {}).operationName(operation).failure(failure)
          .build())).as(failure.toString()).isEqualTo(neverRepeated);
    }
  }

  private int calls(String action) {
    return calls.getOrDefault(action, new AtomicInteger()).get();
  }

  private void answerEverythingWith(int status, String contentType, String body) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      count(request, action -> calls.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet());
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  /** The EC2 query protocol names the operation in the form body: {@code Action=RunInstances&...}. */
  private static void count(String form, Consumer<String> action) {
    for (String pair : form.split("&")) {
      if (pair.startsWith("Action=")) {
        action.accept(pair.substring("Action=".length()));
      }
    }
  }

  private Ec2Client client() {
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    return AwsClients.ec2(Optional.of("us-east-1"), Optional.of(endpoint), CREDENTIALS, 2, List.of());
  }
}
