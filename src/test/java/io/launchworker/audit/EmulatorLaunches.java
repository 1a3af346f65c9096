package io.launchworker.audit;

import io.launchworker.request.LaunchTags;
import io.launchworker.sandbox.ec2.Ec2Emulator;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** Launches in the EC2 emulator as the worker would (token as ClientToken and tag), or untagged. */
public final class EmulatorLaunches implements AutoCloseable {
  private final Ec2Client ec2;

  public EmulatorLaunches(Ec2Emulator emulator) {
    this.ec2 = Ec2Client.builder().endpointOverride(emulator.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClient(Apache5HttpClient.create()).build();
  }

  public Ec2Client client() {
    return ec2;
  }

  /** RunInstances with the token as ClientToken and launch-worker:token tag; returns the reservation ID. */
  public String launch(String token, int count) {
    return ec2.runInstances(b -> b.imageId("ami-0123456789abcdef0").instanceType("t3.micro").minCount(count)
        .maxCount(count).clientToken(token).tagSpecifications(TagSpecification.builder()
            .resourceType(ResourceType.INSTANCE).tags(Tag.builder().key(LaunchTags.TOKEN).value(token).build())
            .build())).reservationId();
  }

  /** An instance someone else launched: no worker tag. */
  public String launchUntagged(String clientToken) {
    return ec2.runInstances(b -> b.imageId("ami-0123456789abcdef0").instanceType("t3.micro").minCount(1)
        .maxCount(1).clientToken(clientToken)).reservationId();
  }

  @Override
  public void close() {
    ec2.close();
  }
}
