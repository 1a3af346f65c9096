package io.launchworker.sandbox.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the SDK cannot send: unknown actions and RunInstances without a ClientToken. */
class QueryProtocolTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private Ec2Emulator emulator;

  @BeforeEach
  void start() {
    emulator = Ec2Emulator.start();
  }

  @AfterEach
  void stop() {
    emulator.close();
  }

  private HttpResponse<String> post(String form) throws Exception {
    return http.send(HttpRequest.newBuilder(emulator.endpoint().resolve("/"))
            .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void unknownActionIsInvalidActionInEc2ErrorShape() throws Exception {
    HttpResponse<String> response = post("Action=RebootEverything&Version=2016-11-15");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("<Response><Errors><Error><Code>InvalidAction</Code><Message>")
        .containsPattern("</Errors><RequestID>[^<]+</RequestID></Response>");
  }

  @Test
  void runInstancesWithoutClientTokenLaunchesEveryTime() throws Exception {
    String form = "Action=RunInstances&Version=2016-11-15&ImageId=ami-1&MinCount=1&MaxCount=1";

    HttpResponse<String> first = post(form);
    post(form);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).contains("<RunInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">");
    assertThat(emulator.instances()).hasSize(2).allSatisfy(i -> assertThat(i.clientToken()).isNull());
    assertThat(emulator.stats().tokensWithInstances()).isZero();
  }

  @Test
  void closeIsIdempotentAndStopsServing() {
    emulator.close();
    emulator.close();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> post("Action=DescribeInstances"))
        .isInstanceOf(java.io.IOException.class);
  }
}
