package io.launchworker.launch;

import io.launchworker.ops.WorkerMetrics;
import io.launchworker.request.LaunchTags;
import io.launchworker.message.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.http.HttpMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.services.ec2.Ec2Client;
import io.launchworker.message.Placement;
import io.launchworker.request.Market;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * {@link Ec2Port} over the AWS SDK's {@link Ec2Client}, timing every call by operation and error code, and
 * counting every HTTP attempt of it by result: a throttle the SDK retried on its own ends in a successful call
 * (error "none"), and only the attempts show it.
 */
public final class SdkEc2Port implements Ec2Port {
  private static final Logger log = LoggerFactory.getLogger(SdkEc2Port.class);
  /** Large pages keep a token look-up to one call in practice. */
  private static final int PAGE_SIZE = 1000;
  /**
   * Instances per page of the hourly cap's counts: half of EC2's most, so a full recount of 20,000 instances is 40
   * calls every 10 minutes (4 a minute) and an idle worker's heap does not grow to hold a 1,000-instance answer.
   */
  private static final int COUNT_PAGE_SIZE = 500;

  private final Ec2Client ec2;
  private final WorkerMetrics metrics;
  private final Clock clock;
  private final MetricPublisher attempts;
  /** Set once the endpoint failed a launch-time query and answered the same without it (moto, LocalStack). */
  private volatile boolean launchTimeFilterRefused;

  public SdkEc2Port(Ec2Client ec2, WorkerMetrics metrics, Clock clock) {
    this.ec2 = ec2;
    this.metrics = metrics;
    this.clock = clock;
    this.attempts = new AttemptCounter(metrics);
  }

  @Override
  public Reservation runInstances(RunInstancesRequest request) {
    RunInstancesRequest counted = request.toBuilder()
        .overrideConfiguration(countingAttempts(request.overrideConfiguration())).build();
    RunInstancesResponse response = timed("RunInstances", () -> ec2.runInstances(counted));
    List<Outcome.InstanceRef> instances = response.instances().stream()
        .map(i -> new Outcome.InstanceRef(i.instanceId(), i.state() == null ? "pending" : i.state().nameAsString()))
        .toList();
    return new Reservation(response.reservationId(), instances,
        response.instances().stream().findFirst().map(SdkEc2Port::placement));
  }

  @Override
  public String rootDeviceName(String imageId) {
    DescribeImagesRequest request = DescribeImagesRequest.builder().imageIds(imageId)
        .overrideConfiguration(countingAttempts(Optional.empty())).build();
    return timed("DescribeImages", () -> ec2.describeImages(request).images().stream()
        .map(Image::rootDeviceName).filter(java.util.Objects::nonNull).findFirst()
        .orElseThrow(() -> Ec2Exception.builder().statusCode(400).message("no root device for " + imageId)
            .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidAMIID.NotFound")
                .errorMessage("The image id '[" + imageId + "]' does not exist or has no root device name").build())
            .build()));
  }

  /** Where EC2 says an instance landed; a Spot instance has lifecycle {@code spot}, an on-demand one none. */
  static Placement placement(Instance instance) {
    return new Placement(instance.instanceLifecycle() == InstanceLifecycleType.SPOT ? Market.SPOT : Market.ON_DEMAND,
        Optional.ofNullable(instance.instanceTypeAsString()), Optional.ofNullable(instance.subnetId()),
        Optional.ofNullable(instance.placement()).map(p -> p.availabilityZone()));
  }

  @Override
  public List<FoundInstance> findByToken(String token, TokenFilter filter) {
    String literal = escapeWildcards(token);
    Filter f = filter == TokenFilter.TAG
        ? Filter.builder().name("tag:" + LaunchTags.TOKEN).values(literal).build()
        : Filter.builder().name("client-token").values(literal).build();
    return describe(DescribeInstancesRequest.builder().filters(f).maxResults(PAGE_SIZE)
        .overrideConfiguration(countingAttempts(Optional.empty())).build());
  }

  /** Every instance of every page of one DescribeInstances query. */
  private List<FoundInstance> describe(DescribeInstancesRequest request) {
    return timed("DescribeInstances", () -> {
      List<FoundInstance> found = new ArrayList<>();
      ec2.describeInstancesPaginator(request).reservations().forEach(r -> r.instances().forEach(i ->
          found.add(new FoundInstance(i.instanceId(), r.reservationId(),
              i.state() == null ? "unknown" : i.state().nameAsString(), hashTag(i.tags()), Optional.of(placement(i))))));
      return found;
    });
  }

  @Override
  public List<FoundInstance> findByClientTokens(List<String> clientTokens) {
    if (clientTokens.isEmpty()) {
      return List.of();
    }
    Filter f = Filter.builder().name("client-token").values(clientTokens.stream().map(SdkEc2Port::escapeWildcards)
        .toList()).build();
    return describe(DescribeInstancesRequest.builder().filters(f).maxResults(PAGE_SIZE)
        .overrideConfiguration(countingAttempts(Optional.empty())).build());
  }

  /** EC2's answer to an allowed DryRun: an error with this code, HTTP 412. */
  static final String DRY_RUN_ALLOWED = "DryRunOperation";

  @Override
  public boolean dryRunAllowed(RunInstancesRequest request) {
    RunInstancesRequest dryRun = request.toBuilder().dryRun(true)
        .overrideConfiguration(countingAttempts(request.overrideConfiguration())).build();
    try {
      timed("RunInstances", () -> ec2.runInstances(dryRun));
    } catch (AwsServiceException e) {
      String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
      if (DRY_RUN_ALLOWED.equals(code)) {
        return true;
      }
      if ("UnauthorizedOperation".equals(code)) {
        return false;
      }
      throw e;
    }
    // An endpoint that ignores DryRun launched (under the known launch's own ClientToken, so a token-honouring one
    // answered with that launch): the call was allowed.
    log.warn("EC2 endpoint answered a DryRun RunInstances as a launch; it ignores DryRun");
    return true;
  }

  @Override
  public TaggedLaunchPage findTaggedLaunches(List<LaunchSpan> spans, Optional<String> pageToken) {
    if (launchTimeFilterRefused) {
      return taggedLaunches(List.of(), pageToken);
    }
    List<String> hours = spans.stream().map(LaunchSpan::wildcard).toList();
    try {
      return taggedLaunches(hours, pageToken);
    } catch (AwsServiceException e) {
      if (e.statusCode() < 500 || pageToken.isPresent()) {
        throw e;
      }
      // moto (and so LocalStack) answers an unimplemented filter with HTTP 500. Asking without it returns more
      // instances, which the caller filters by launch time anyway; a cap that can never be counted launches nothing.
      TaggedLaunchPage page = taggedLaunches(List.of(), pageToken);
      launchTimeFilterRefused = true;
      log.warn("EC2 endpoint failed DescribeInstances with the launch-time filter ({}) and answered without it: "
          + "counting the hourly cap from every tagged instance from now on", e.statusCode());
      return page;
    }
  }

  /** One DescribeInstances call: tag key, and when {@code hours} is not empty, these launch-time wildcards. */
  private TaggedLaunchPage taggedLaunches(List<String> hours, Optional<String> pageToken) {
    List<Filter> filters = new ArrayList<>();
    filters.add(Filter.builder().name("tag-key").values(LaunchTags.TOKEN).build());
    if (!hours.isEmpty()) {
      filters.add(Filter.builder().name("launch-time").values(hours).build());
    }
    DescribeInstancesRequest request = DescribeInstancesRequest.builder().filters(filters).maxResults(COUNT_PAGE_SIZE)
        .nextToken(pageToken.orElse(null)).overrideConfiguration(countingAttempts(Optional.empty())).build();
    DescribeInstancesResponse response = timed("DescribeInstances", () -> ec2.describeInstances(request));
    Instant now = clock.instant();
    List<TaggedLaunch> launches = new ArrayList<>();
    // An instance without a launch time (not seen on AWS) counts as launched now: the cap errs towards full.
    response.reservations().forEach(r -> r.instances().forEach(i -> launches.add(new TaggedLaunch(i.instanceId(),
        i.tags().stream().filter(t -> LaunchTags.TOKEN.equals(t.key())).map(Tag::value).findFirst().orElse(""),
        i.launchTime() == null ? now : i.launchTime(), launchedWith(i)))));
    return new TaggedLaunchPage(launches, Optional.ofNullable(response.nextToken()).filter(t -> !t.isEmpty()));
  }

  /** The parameters a DryRun of an instance's launch needs; empty when EC2 did not say its image or type. */
  static Optional<LaunchedWith> launchedWith(Instance i) {
    if (i.imageId() == null || i.instanceTypeAsString() == null) {
      return Optional.empty();
    }
    java.util.Map<String, String> workerTags = new java.util.HashMap<>();
    // Every tag the launch carried (an SCP may require the producer's own, CostCenter say), but AWS's own, which no
    // request may set.
    i.tags().stream().filter(t -> t.key() != null && !t.key().startsWith("aws:"))
        .forEach(t -> workerTags.put(t.key(), t.value() == null ? "" : t.value()));
    return Optional.of(new LaunchedWith(i.imageId(), i.instanceTypeAsString(), Optional.ofNullable(i.subnetId()),
        i.securityGroups().stream().map(g -> g.groupId()).filter(java.util.Objects::nonNull).toList(),
        Optional.ofNullable(i.keyName()),
        Optional.ofNullable(i.iamInstanceProfile()).map(p -> p.arn()), workerTags));
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

  /** The request's own override configuration (if any) plus the attempt counter; a paginator's pages keep it. */
  private AwsRequestOverrideConfiguration countingAttempts(Optional<AwsRequestOverrideConfiguration> own) {
    return own.map(AwsRequestOverrideConfiguration::toBuilder).orElseGet(AwsRequestOverrideConfiguration::builder)
        .addMetricPublisher(attempts).build();
  }

  /**
   * Reads the SDK's metrics of one call, published on the calling thread when the call ends, and counts each of
   * its attempts. The SDK records every attempt, also those that got no HTTP answer, which an interceptor's
   * {@code afterTransmission} never sees.
   */
  private static final class AttemptCounter implements MetricPublisher {
    private final WorkerMetrics metrics;

    AttemptCounter(WorkerMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public void publish(MetricCollection call) {
      String operation = call.metricValues(CoreMetric.OPERATION_NAME).stream().findFirst().orElse("unknown");
      call.childrenWithName("ApiCallAttempt").forEach(attempt -> metrics.ec2Attempt(operation, result(attempt)));
    }

    @Override
    public void close() {}
  }

  /** Throttling as the SDK's retry logic sees it (RequestLimitExceeded, 429), else by the HTTP status. */
  static WorkerMetrics.AttemptResult result(MetricCollection attempt) {
    if (attempt.metricValues(CoreMetric.ERROR_TYPE).contains("Throttling")) {
      return WorkerMetrics.AttemptResult.THROTTLED;
    }
    List<Integer> status = attempt.metricValues(HttpMetric.HTTP_STATUS_CODE);
    if (status.isEmpty()) {
      return WorkerMetrics.AttemptResult.NO_RESPONSE;
    }
    int code = status.get(0);
    if (code >= 200 && code < 300) {
      return WorkerMetrics.AttemptResult.OK;
    }
    return code >= 500 ? WorkerMetrics.AttemptResult.SERVER_ERROR : WorkerMetrics.AttemptResult.CLIENT_ERROR;
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
