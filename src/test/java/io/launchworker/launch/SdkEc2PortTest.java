package io.launchworker.launch;

import io.launchworker.testing.LocalProcesses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.LaunchTags;
import io.launchworker.sandbox.EmbeddedSqs;
import io.launchworker.sandbox.ec2.Ec2Emulator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * The port through the real SDK: the count of the hourly cap (against the emulator, and against moto where
 * installed) and the attempt counts behind the dashboard's throttle share.
 */
class SdkEc2PortTest {
  private static final String AMI = "ami-0123456789abcdef0";

  private static Ec2Client client(URI endpoint) {
    return Ec2Client.builder().endpointOverride(endpoint).region(EmbeddedSqs.REGION)
        .credentialsProvider(StaticCredentialsProvider.create(EmbeddedSqs.CREDENTIALS))
        .httpClient(Apache5HttpClient.builder().build()).build();
  }

  private static String launch(Ec2Client ec2, String token, boolean tagged) {
    return ec2.runInstances(r -> {
      r.imageId(AMI).instanceType("t3.micro").minCount(1).maxCount(1).clientToken(token);
      if (tagged) {
        r.tagSpecifications(s -> s.resourceType(ResourceType.INSTANCE).tags(t -> t.key(LaunchTags.TOKEN).value(token)));
      }
    }).instances().get(0).instanceId();
  }

  private static List<Ec2Port.LaunchSpan> thisAndPreviousHour() {
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
    return List.of(new Ec2Port.LaunchSpan(hour.minus(1, ChronoUnit.HOURS), Ec2Port.LaunchSpan.Length.HOUR),
        new Ec2Port.LaunchSpan(hour, Ec2Port.LaunchSpan.Length.HOUR));
  }

  @Test
  void taggedLaunchesOfTheAskedHoursComeWithTokenAndLaunchTime() {
    try (Ec2Emulator emulator = Ec2Emulator.start(); Ec2Client ec2 = client(emulator.endpoint())) {
      SdkEc2Port port = new SdkEc2Port(ec2, new WorkerMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
      String tagged = launch(ec2, "token-1", true);
      launch(ec2, "untagged", false);

      Ec2Port.TaggedLaunchPage page = port.findTaggedLaunches(thisAndPreviousHour(), Optional.empty());

      assertThat(page.instances()).singleElement().satisfies(l -> {
        assertThat(l.instanceId()).isEqualTo(tagged);
        assertThat(l.token()).isEqualTo("token-1");
        assertThat(l.launchTime()).isEqualTo(emulator.instances().get(0).launchTime());
      });
      assertThat(page.nextPageToken()).isEmpty();
      Instant twoHoursAgo = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
      assertThat(port.findTaggedLaunches(List.of(new Ec2Port.LaunchSpan(twoHoursAgo, Ec2Port.LaunchSpan.Length.HOUR)),
          Optional.empty()).instances()).isEmpty();
    }
  }

  @Test
  void throttlesTheSdkRetriedAwayAreCountedAsAttemptsThoughTheCallSucceeded() {
    try (Ec2Emulator emulator = Ec2Emulator.start(); Ec2Client ec2 = client(emulator.endpoint())) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      SdkEc2Port port = new SdkEc2Port(ec2, new WorkerMetrics(registry), Clock.systemUTC());
      emulator.faults().failNext("RunInstances", "RequestLimitExceeded", 503, 2);

      port.runInstances(RunInstancesRequest.builder().imageId(AMI).instanceType("t3.micro").minCount(1).maxCount(1)
          .clientToken("throttled-twice").build());

      assertThat(counter(registry, "launcher.ec2.attempts", "operation", "RunInstances", "result", "throttled"))
          .isEqualTo(2);
      assertThat(counter(registry, "launcher.ec2.attempts", "operation", "RunInstances", "result", "ok"))
          .isEqualTo(1);
      assertThat(registry.get("launcher.ec2.calls").tags("operation", "RunInstances", "error", "none").timer()
          .count()).as("the call itself succeeded").isEqualTo(1);
    }
  }

  @Test
  void attemptsAreCountedByResultAndEveryExpectedSeriesExistsBeforeTheFirstCall() {
    try (Ec2Emulator emulator = Ec2Emulator.start(); Ec2Client ec2 = client(emulator.endpoint())) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      SdkEc2Port port = new SdkEc2Port(ec2, new WorkerMetrics(registry), Clock.systemUTC());
      for (String operation : List.of("RunInstances", "DescribeInstances")) {
        for (String result : List.of("ok", "throttled", "client_error", "server_error", "no_response")) {
          assertThat(counter(registry, "launcher.ec2.attempts", "operation", operation, "result", result))
              .as("%s %s before any call", operation, result).isZero();
        }
      }
      emulator.faults().failNext("DescribeInstances", "InvalidParameterValue", 400, 1);

      assertThatThrownBy(() -> port.findByToken("token-1", Ec2Port.TokenFilter.TAG))
          .isInstanceOf(Ec2Exception.class);
      port.findByToken("token-1", Ec2Port.TokenFilter.TAG);
      port.findTaggedLaunches(thisAndPreviousHour(), Optional.empty());

      assertThat(counter(registry, "launcher.ec2.attempts", "operation", "DescribeInstances", "result",
          "client_error")).isEqualTo(1);
      assertThat(counter(registry, "launcher.ec2.attempts", "operation", "DescribeInstances", "result", "ok"))
          .isEqualTo(2);
    }
  }

  private static double counter(MeterRegistry registry, String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  /** moto (LocalStack's EC2) answers the launch-time filter with HTTP 500: the count must still work there. */
  @Test
  void anEndpointRefusingTheLaunchTimeFilterIsAskedWithoutIt() throws Exception {
    Optional<Path> moto = LocalProcesses.onPath("moto_server");
    assumeTrue(moto.isPresent(), "moto_server is not on PATH: skipping the moto check");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Process server = new ProcessBuilder(moto.get().toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try (Ec2Client ec2 = client(URI.create("http://127.0.0.1:" + port))) {
      await().atMost(Duration.ofSeconds(60)).until(() -> LocalProcesses.accepts(port));
      SdkEc2Port sdkPort = new SdkEc2Port(ec2, new WorkerMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
      String tagged = launch(ec2, "token-1", true);
      launch(ec2, "untagged", false);

      assertThat(sdkPort.findTaggedLaunches(thisAndPreviousHour(), Optional.empty()).instances())
          .extracting(Ec2Port.TaggedLaunch::instanceId).containsExactly(tagged);
      assertThat(sdkPort.findTaggedLaunches(thisAndPreviousHour(), Optional.empty()).instances())
          .extracting(Ec2Port.TaggedLaunch::token).containsExactly("token-1");
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

}
