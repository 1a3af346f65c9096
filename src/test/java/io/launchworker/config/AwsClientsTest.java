package io.launchworker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/** One factory builds every AWS client (worker, enqueue, audit, CloudWatch) with the same timeouts and credentials. */
class AwsClientsTest {
  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"));

  @Test
  void everyClientGetsTheSameBoundedTimeoutsRegionEndpointAndCredentials() {
    Optional<String> region = Optional.of("eu-west-1");
    Optional<URI> endpoint = Optional.of(URI.create("http://127.0.0.1:9"));
    try (SqsClient sqs = AwsClients.sqs(region, endpoint, CREDENTIALS, 4);
        Ec2Client ec2 = AwsClients.ec2(region, endpoint, CREDENTIALS, 4, List.of());
        CloudWatchClient cloudWatch = AwsClients.cloudWatch(region, endpoint, CREDENTIALS)) {
      for (var config : List.of(sqs.serviceClientConfiguration(), ec2.serviceClientConfiguration(),
          cloudWatch.serviceClientConfiguration())) {
        ClientOverrideConfiguration override = config.overrideConfiguration();
        assertThat(override.apiCallAttemptTimeout()).contains(Duration.ofSeconds(30));
        assertThat(override.apiCallTimeout()).contains(Duration.ofSeconds(60));
        assertThat(config.region().id()).isEqualTo("eu-west-1");
        assertThat(config.endpointOverride()).contains(URI.create("http://127.0.0.1:9"));
        assertThat(config.credentialsProvider().resolveIdentity().join().accessKeyId()).isEqualTo("AKIDTEST");
      }
    }
  }

  @Test
  void theEc2ClientNeverRepeatsARunInstancesCallButStillRepeatsLookUps() {
    try (io.launchworker.sandbox.ec2.Ec2Emulator emulator = io.launchworker.sandbox.ec2.Ec2Emulator.start();
        Ec2Client ec2 = AwsClients.ec2(Optional.of("us-east-1"), Optional.of(emulator.endpoint()), CREDENTIALS, 2,
            List.of())) {
      emulator.faults().failNext("RunInstances", "InsufficientInstanceCapacity", 500, 3);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ec2.runInstances(r -> r.imageId(
              "ami-0123456789abcdef0").minCount(1).maxCount(1).clientToken("refused")))
          .isInstanceOfSatisfying(software.amazon.awssdk.services.ec2.model.Ec2Exception.class,
              e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InsufficientInstanceCapacity"));
      assertThat(emulator.stats().calls("RunInstances")).isEqualTo(1);

      emulator.faults().reset().failNext("RunInstances", "InternalError", 500, 1);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ec2.runInstances(r -> r.imageId(
          "ami-0123456789abcdef0").minCount(1).maxCount(1).clientToken("unclear")));
      assertThat(emulator.stats().calls("RunInstances")).isEqualTo(2);

      emulator.faults().reset().failNext("RunInstances", "RequestLimitExceeded", 503, 1);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ec2.runInstances(r -> r.imageId(
          "ami-0123456789abcdef0").minCount(1).maxCount(1).clientToken("throttled")))
          .as("the handler repeats a throttle itself, through its rate gate");
      assertThat(emulator.stats().calls("RunInstances")).isEqualTo(3);

      emulator.faults().reset().failNext("DescribeInstances", "InternalError", 500, 1);
      ec2.describeInstances(r -> r.maxResults(5));
      assertThat(emulator.stats().calls("DescribeInstances")).isEqualTo(2);
    }
  }
}
