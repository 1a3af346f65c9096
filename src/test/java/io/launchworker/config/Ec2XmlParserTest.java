package io.launchworker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.xml.stream.XMLInputFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;

/**
 * The parser the EC2 client reads XML answers with: Woodstox (pom.xml says why), found the way the SDK finds one, and
 * with the SDK's own settings it neither reads a DTD's external entities nor expands the entities a DTD declares, so
 * an answer cannot make the worker read a local file or blow up its heap.
 */
class Ec2XmlParserTest {
  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"));
  private static final String SECRET = "contents-of-a-local-file";

  @TempDir
  Path dir;
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void theSdkFindsWoodstoxAsItsStaxParser() {
    assertThat(XMLInputFactory.newInstance().getClass().getName()).isEqualTo("com.ctc.wstx.stax.WstxInputFactory");
  }

  @Test
  void anAnswerReadsAsBefore() throws IOException {
    answer(runInstancesAnswer("", "r-0123456789abcdef0", "i-0123456789abcdef0"));

    try (Ec2Client ec2 = client()) {
      RunInstancesResponse response = ec2.runInstances(r -> r.imageId("ami-1").minCount(1).maxCount(1));

      assertThat(response.reservationId()).isEqualTo("r-0123456789abcdef0");
      assertThat(response.instances()).singleElement().satisfies(i -> {
        assertThat(i.instanceId()).isEqualTo("i-0123456789abcdef0");
        assertThat(i.tags()).singleElement().satisfies(t -> {
          assertThat(t.key()).isEqualTo("launch-worker:token");
          assertThat(t.value()).isEqualTo("a&b<c>");
        });
      });
    }
  }

  @Test
  void anExternalEntityInAnAnswerIsNeverRead() throws IOException {
    Path file = Files.writeString(dir.resolve("secret.txt"), SECRET);
    answer(runInstancesAnswer("<!DOCTYPE RunInstancesResponse [<!ENTITY xxe SYSTEM \"" + file.toUri() + "\">]>",
        "&xxe;", "i-0123456789abcdef0"));

    assertNothingOf(SECRET);
  }

  @Test
  void entitiesAnAnswerDeclaresAreNotExpanded() throws IOException {
    answer(runInstancesAnswer("<!DOCTYPE RunInstancesResponse [<!ENTITY a \"" + "expanded".repeat(8)
        + "\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>", "&b;", "i-0123456789abcdef0"));

    assertNothingOf("expanded");
  }

  /** The call fails, or it succeeds with a reservation ID that holds nothing of {@code text}. */
  private void assertNothingOf(String text) {
    try (Ec2Client ec2 = client()) {
      Object[] reservation = new Object[1];
      Throwable failure = catchThrowable(() -> reservation[0] = ec2.runInstances(r -> r.imageId("ami-1").minCount(1)
          .maxCount(1)).reservationId());

      if (failure == null) {
        assertThat(String.valueOf(reservation[0])).doesNotContain(text);
      } else {
        assertThat(failure).hasMessageNotContaining(text);
      }
    }
  }

  private static String runInstancesAnswer(String doctype, String reservationId, String instanceId) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + doctype
        + "<RunInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
        + "<requestId>req-1</requestId><reservationId>" + reservationId + "</reservationId><ownerId>123456789012"
        + "</ownerId><groupSet/><instancesSet><item><instanceId>" + instanceId + "</instanceId>"
        + "<imageId>ami-1</imageId><instanceState><code>0</code><name>pending</name></instanceState>"
        + "<tagSet><item><key>launch-worker:token</key><value>a&amp;b&lt;c&gt;</value></item></tagSet>"
        + "</item></instancesSet></RunInstancesResponse>";
  }

  private void answer(String body) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  private Ec2Client client() {
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    return AwsClients.ec2(Optional.of("us-east-1"), Optional.of(endpoint), CREDENTIALS, 2, List.of());
  }
}
