package io.launchworker.launch;

import io.launchworker.request.LaunchTags;
import io.launchworker.message.Outcome;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * An in-memory EC2 behind {@link Ec2Port} for unit tests: what it "holds" is a list of tagged instances with
 * launch times; launches may show in look-ups at once or only when the test says so (eventual consistency), and
 * counts may fail. Records every call. Thread-safe.
 */
final class FakeEc2 implements Ec2Port {
  private final Clock clock;
  // Guarded by this.
  private final List<TaggedLaunch> visible = new ArrayList<>();
  private final List<TaggedLaunch> notYetVisible = new ArrayList<>();
  private final List<List<LaunchSpan>> spansAsked = new ArrayList<>();
  /** The request hash tag of each instance this port launched. */
  private final java.util.Map<String, String> hashes = new java.util.HashMap<>();
  /** The ClientToken each instance this port launched was sent with. */
  private final java.util.Map<String, String> clientTokens = new java.util.HashMap<>();
  /** Instance types a DryRun (and a launch) is denied for, as an IAM condition on ec2:InstanceType would. */
  private final java.util.Set<String> deniedTypes = new java.util.HashSet<>();
  private boolean launchesShowAtOnce = true;
  private int failCounts;
  private int pageSize = 1000;
  private int nextId;
  final AtomicInteger countCalls = new AtomicInteger();
  final AtomicInteger runInstancesCalls = new AtomicInteger();
  final AtomicInteger dryRuns = new AtomicInteger();
  final AtomicInteger clientTokenLookups = new AtomicInteger();

  FakeEc2(Clock clock) {
    this.clock = clock;
  }

  /** Another worker's launch: {@code count} instances with {@code token}, launched at {@code at}. */
  synchronized void launchedElsewhere(String token, int count, Instant at) {
    for (int i = 0; i < count; i++) {
      visible.add(new TaggedLaunch(nextInstanceId(), token, at));
    }
  }

  /** An instance EC2 now shows (e.g. one a worker recorded from RunInstances' answer). */
  synchronized void shows(String instanceId, String token, Instant at) {
    visible.add(new TaggedLaunch(instanceId, token, at));
  }

  /** Whether this port's own launches show in counts at once (true) or only after {@link #catchUp()}. */
  synchronized void launchesShowAtOnce(boolean value) {
    launchesShowAtOnce = value;
  }

  /** Lets every launch made so far show. */
  synchronized void catchUp() {
    visible.addAll(notYetVisible);
    notYetVisible.clear();
  }

  synchronized void failNextCounts(int count) {
    failCounts = count;
  }

  synchronized void pageSize(int size) {
    pageSize = size;
  }

  /** The launch-time spans of each count (its first page). */
  synchronized List<List<LaunchSpan>> spansAsked() {
    return List.copyOf(spansAsked);
  }

  /** IAM denies RunInstances (DryRun included) for this instance type with UnauthorizedOperation. */
  synchronized void denyInstanceType(String type) {
    deniedTypes.add(type);
  }

  synchronized void allowAll() {
    deniedTypes.clear();
  }

  @Override
  public Reservation runInstances(RunInstancesRequest request) {
    runInstancesCalls.incrementAndGet();
    if (denied(request)) {
      throw unauthorized();
    }
    String token = request.tagSpecifications().get(0).tags().stream().filter(t -> t.key().equals(LaunchTags.TOKEN))
        .findFirst().orElseThrow().value();
    Optional<String> hash = request.tagSpecifications().get(0).tags().stream()
        .filter(t -> t.key().equals(LaunchTags.REQUEST_HASH)).findFirst().map(t -> t.value());
    List<Outcome.InstanceRef> refs = new ArrayList<>();
    synchronized (this) {
      for (int i = 0; i < request.maxCount(); i++) {
        TaggedLaunch launch = new TaggedLaunch(nextInstanceId(), token, clock.instant(), Optional.of(
            new LaunchedWith(request.imageId(), request.instanceTypeAsString(), Optional.ofNullable(request.subnetId()),
                request.securityGroupIds(), Optional.ofNullable(request.keyName()), Optional.empty(),
                allTags(request))));
        hash.ifPresent(h -> hashes.put(launch.instanceId(), h));
        if (request.clientToken() != null) {
          clientTokens.put(launch.instanceId(), request.clientToken());
        }
        (launchesShowAtOnce ? visible : notYetVisible).add(launch);
        refs.add(new Outcome.InstanceRef(launch.instanceId(), "pending"));
      }
    }
    return new Reservation("r-" + token, refs);
  }

  @Override
  public synchronized List<FoundInstance> findByToken(String token, TokenFilter filter) {
    return visible.stream().filter(l -> l.token().equals(token))
        .map(l -> new FoundInstance(l.instanceId(), "r-" + token, "running",
            Optional.ofNullable(hashes.get(l.instanceId())))).toList();
  }

  @Override
  public synchronized List<FoundInstance> findByClientTokens(List<String> tokens) {
    clientTokenLookups.incrementAndGet();
    return visible.stream().filter(l -> tokens.contains(clientTokens.get(l.instanceId())))
        .map(l -> new FoundInstance(l.instanceId(), "r-" + l.token(), "running",
            Optional.ofNullable(hashes.get(l.instanceId())))).toList();
  }

  @Override
  public boolean dryRunAllowed(RunInstancesRequest request) {
    dryRuns.incrementAndGet();
    return !denied(request);
  }

  private synchronized boolean denied(RunInstancesRequest request) {
    return request.instanceTypeAsString() != null && deniedTypes.contains(request.instanceTypeAsString());
  }

  static software.amazon.awssdk.services.ec2.model.Ec2Exception unauthorized() {
    return (software.amazon.awssdk.services.ec2.model.Ec2Exception) software.amazon.awssdk.services.ec2.model
        .Ec2Exception.builder().statusCode(403).message("not authorized")
        .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
            .errorCode("UnauthorizedOperation").errorMessage("You are not authorized to perform this operation.")
            .build()).build();
  }

  private static java.util.Map<String, String> allTags(RunInstancesRequest request) {
    java.util.Map<String, String> tags = new java.util.HashMap<>();
    request.tagSpecifications().get(0).tags().forEach(t -> tags.put(t.key(), t.value()));
    return tags;
  }

  /** Every image's root device is {@code /dev/xvda}, as on Amazon Linux; the names asked are kept. */
  final List<String> imagesAsked = java.util.Collections.synchronizedList(new ArrayList<>());

  @Override
  public String rootDeviceName(String imageId) {
    imagesAsked.add(imageId);
    return "/dev/xvda";
  }

  @Override
  public synchronized TaggedLaunchPage findTaggedLaunches(List<LaunchSpan> spans, Optional<String> pageToken) {
    countCalls.incrementAndGet();
    if (failCounts > 0) {
      failCounts--;
      throw SdkClientException.create("connection reset");
    }
    if (pageToken.isEmpty()) {
      spansAsked.add(List.copyOf(spans));
    }
    List<TaggedLaunch> matching = visible.stream()
        .filter(l -> spans.stream().anyMatch(span -> span.contains(l.launchTime()))).toList();
    int from = pageToken.map(Integer::parseInt).orElse(0);
    int to = Math.min(matching.size(), from + pageSize);
    return new TaggedLaunchPage(matching.subList(from, to),
        to < matching.size() ? Optional.of(Integer.toString(to)) : Optional.empty());
  }

  private String nextInstanceId() {
    return String.format("i-%017x", ++nextId);
  }
}
