package io.launchworker.sandbox.ec2;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** Real SDK clients against one emulator, closed together; one per test. */
final class Ec2Clients implements AutoCloseable {
  private final Ec2Emulator emulator;
  private final List<Ec2Client> clients = new ArrayList<>();

  Ec2Clients(Ec2Emulator emulator) {
    this.emulator = emulator;
  }

  /** A client with the SDK's default retries. */
  Ec2Client retrying() {
    return register(builder());
  }

  /** A client that surfaces every error at once. */
  Ec2Client notRetrying() {
    return register(builder().overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())));
  }

  /** A client with the SDK's standard retry conditions but a fixed, jitter-free backoff. */
  Ec2Client retryingEvery(Duration delay) {
    BackoffStrategy fixed = BackoffStrategy.fixedDelayWithoutJitter(delay);
    return register(builder().overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy()
        .toBuilder().backoffStrategy(fixed).throttlingBackoffStrategy(fixed).build())));
  }

  private Ec2ClientBuilder builder() {
    return Ec2Client.builder()
        .endpointOverride(emulator.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClient(Apache5HttpClient.create());
  }

  private Ec2Client register(Ec2ClientBuilder builder) {
    Ec2Client client = builder.build();
    clients.add(client);
    return client;
  }

  /** A one-instance request for ami-12345678 with a Name tag and the given token (null: none). */
  static RunInstancesRequest.Builder launch(String clientToken) {
    return RunInstancesRequest.builder()
        .imageId("ami-12345678")
        .instanceType("t3.micro")
        .minCount(1)
        .maxCount(1)
        .clientToken(clientToken)
        .tagSpecifications(TagSpecification.builder()
            .resourceType(ResourceType.INSTANCE)
            .tags(Tag.builder().key("Name").value("worker").build())
            .build());
  }

  @Override
  public void close() {
    clients.forEach(Ec2Client::close);
  }
}
