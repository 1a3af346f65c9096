package io.launchworker.launch;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.LaunchTags;
import io.launchworker.settle.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;

/** {@link Ec2Port} over the AWS SDK's {@link Ec2Client}, timing every call by operation and error code. */
public final class SdkEc2Port implements Ec2Port {
  /** Large pages keep a token look-up to one call in practice. */
  private static final int PAGE_SIZE = 1000;

  private final Ec2Client ec2;
  private final WorkerMetrics metrics;
  private final Clock clock;

  public SdkEc2Port(Ec2Client ec2, WorkerMetrics metrics, Clock clock) {
    this.ec2 = ec2;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public Reservation runInstances(RunInstancesRequest request) {
    RunInstancesResponse response = timed("RunInstances", () -> ec2.runInstances(request));
    List<Outcome.InstanceRef> instances = response.instances().stream()
        .map(i -> new Outcome.InstanceRef(i.instanceId(), i.state() == null ? "pending" : i.state().nameAsString()))
        .toList();
    return new Reservation(response.reservationId(), instances);
  }

  @Override
  public List<FoundInstance> findByToken(String token, TokenFilter filter) {
    String literal = escapeWildcards(token);
    Filter f = filter == TokenFilter.TAG
        ? Filter.builder().name("tag:" + LaunchTags.TOKEN).values(literal).build()
        : Filter.builder().name("client-token").values(literal).build();
    DescribeInstancesRequest request = DescribeInstancesRequest.builder().filters(f).maxResults(PAGE_SIZE).build();
    return timed("DescribeInstances", () -> {
      List<FoundInstance> found = new ArrayList<>();
      ec2.describeInstancesPaginator(request).reservations().forEach(r -> r.instances().forEach(i ->
          found.add(new FoundInstance(i.instanceId(), r.reservationId(),
              i.state() == null ? "unknown" : i.state().nameAsString(), hashTag(i.tags())))));
      return found;
    });
  }

  /**
   * EC2 filter values treat {@code *} and {@code ?} as wildcards and {@code \} as their escape; a token is
   * printable ASCII and may contain them, and must match only itself.
   */
  static String escapeWildcards(String value) {
    return value.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?");
  }

  private static Optional<String> hashTag(List<Tag> tags) {
    return tags.stream().filter(t -> LaunchTags.REQUEST_HASH.equals(t.key())).map(Tag::value).findFirst();
  }

  private <T> T timed(String operation, Supplier<T> call) {
    Instant start = clock.instant();
    String error = "none";
    try {
      return call.get();
    } catch (AwsServiceException e) {
      error = e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null
          ? e.awsErrorDetails().errorCode() : "http-" + e.statusCode();
      throw e;
    } catch (RuntimeException e) {
      error = e.getClass().getSimpleName();
      throw e;
    } finally {
      metrics.ec2Call(operation, error, Duration.between(start, clock.instant()));
    }
  }
}
