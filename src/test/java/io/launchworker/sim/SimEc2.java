package io.launchworker.sim;

import io.launchworker.launch.Ec2Port;
import io.launchworker.message.Outcome;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * A simulated EC2 behind the worker's own {@link Ec2Port}, for a deterministic simulation: time from the injected
 * clock, every choice from the injected random. Errors are thrown as the SDK throws them ({@link Ec2Errors}).
 *
 * <p>A call passes, in EC2's order: account faults ({@link SimEc2Faults}), throttling (a {@link Bucket} per group:
 * RunInstances burst 5 refilled 2/s, Describe* burst 100 refilled 20/s, on the clock), injected server errors; then,
 * for RunInstances, IAM denials, DryRun ({@code DryRunOperation}, 412: launches nothing, touches no token or
 * capacity), the ClientToken {@link TokenLedger} (same parameters: the same reservation; other: mismatch), the image,
 * {@link CapacityModel}, the launch, and faults of the answer (a 5xx or a lost answer after the launch). Reads lag:
 * DescribeInstances shows an instance only from its launch plus a {@link LagModel} draw.
 *
 * <p>Not modelled: SDK retries (each call here is one attempt: the simulation sees every throttle and 5xx the SDK
 * would have retried), per-AZ token scope, instance state changes other than {@link #terminate}, the launched-instances
 * bucket, partial launches between MinCount and MaxCount (MaxCount instances launch or none).
 *
 * <p>Thread-safe by one lock (this object); meant to be driven by one simulation thread. Never blocks.
 */
public final class SimEc2 implements Ec2Port {
  /** Every image's root device, as on Amazon Linux. */
  public static final String ROOT_DEVICE = "/dev/xvda";
  static final String REGION = "us-east-1";

  private final Clock clock;
  private final RandomGenerator random;
  private final SimEc2Faults faults;
  private final CapacityModel capacity;
  // Guarded by this.
  private final TokenLedger ledger = new TokenLedger();
  private final List<SimInstance> instances = new ArrayList<>();
  private final Set<String> terminated = new HashSet<>();
  private final List<RunCall> runCalls = new ArrayList<>();
  private final Map<Ec2Operation, Integer> calls = new EnumMap<>(Ec2Operation.class);
  private LagModel lag = LagModel.typical();
  private Bucket runBucket;
  private Bucket describeBucket;
  private boolean throttling = true;
  private int pageSize = 1000;
  private long ids;

  public SimEc2(Clock clock, RandomGenerator random) {
    this.clock = clock;
    this.random = random;
    this.faults = new SimEc2Faults(clock, random);
    this.capacity = new CapacityModel(clock, random);
    this.runBucket = new Bucket(Bucket.RUN_INSTANCES_BURST, Bucket.RUN_INSTANCES_REFILL, clock.instant());
    this.describeBucket = new Bucket(Bucket.DESCRIBE_BURST, Bucket.DESCRIBE_REFILL, clock.instant());
  }

  public SimEc2Faults faults() {
    return faults;
  }

  public CapacityModel capacity() {
    return capacity;
  }

  /** How long each launch stays out of DescribeInstances' answers ({@link LagModel#typical()} by default). */
  public synchronized SimEc2 lag(LagModel model) {
    lag = model;
    return this;
  }

  /** Whether calls are throttled by EC2's buckets (on by default). */
  public synchronized SimEc2 throttling(boolean on) {
    throttling = on;
    return this;
  }

  /** Replaces the RunInstances bucket, full, from now. */
  public synchronized SimEc2 runInstancesBucket(int burst, double refillPerSecond) {
    runBucket = new Bucket(burst, refillPerSecond, clock.instant());
    return this;
  }

  /** Replaces the Describe* bucket, full, from now. */
  public synchronized SimEc2 describeBucket(int burst, double refillPerSecond) {
    describeBucket = new Bucket(burst, refillPerSecond, clock.instant());
    return this;
  }

  /** Instances per page of {@link #findTaggedLaunches}. */
  public synchronized SimEc2 pageSize(int size) {
    pageSize = size;
    return this;
  }

  /** Terminates an instance: look-ups show it terminated; its token answers IdempotentInstanceTerminated. */
  public synchronized void terminate(String instanceId) {
    terminated.add(instanceId);
  }

  /** Every instance ever launched, in launch order, whether look-ups show it yet or not. */
  public synchronized List<SimInstance> instances() {
    return List.copyOf(instances);
  }

  /** Every RunInstances call (DryRuns included), in order. */
  public synchronized List<RunCall> runInstancesCalls() {
    return List.copyOf(runCalls);
  }

  /** The RunInstances calls made with each ClientToken (calls without one are left out), in order. */
  public synchronized Map<String, List<RunCall>> runInstancesCallsByToken() {
    Map<String, List<RunCall>> byToken = new LinkedHashMap<>();
    runCalls.forEach(c -> c.clientToken().ifPresent(t -> byToken.computeIfAbsent(t, k -> new ArrayList<>()).add(c)));
    return byToken;
  }

  public synchronized int dryRunCount() {
    return (int) runCalls.stream().filter(RunCall::dryRun).count();
  }

  /** Calls by operation, failed ones included. */
  public synchronized Map<Ec2Operation, Integer> calls() {
    return Collections.unmodifiableMap(new EnumMap<>(calls));
  }

  @Override
  public synchronized Reservation runInstances(RunInstancesRequest request) {
    Instant now = clock.instant();
    boolean dryRun = Boolean.TRUE.equals(request.dryRun());
    int before = instances.size();
    String answer = "ok";
    try {
      return run(request, dryRun, now);
    } catch (Ec2Exception e) {
      answer = e.awsErrorDetails().errorCode();
      throw e;
    } catch (SdkClientException e) {
      answer = "SdkClientException";
      throw e;
    } finally {
      runCalls.add(new RunCall(now, Optional.ofNullable(request.clientToken()), dryRun, instances.size() - before,
          answer));
    }
  }

  private Reservation run(RunInstancesRequest request, boolean dryRun, Instant now) {
    gate(Ec2Operation.RUN_INSTANCES, runBucket, now);
    if (faults.iamDenies(request)) {
      throw Ec2Errors.unauthorized();
    }
    if (dryRun) {
      throw Ec2Errors.dryRunOperation();
    }
    // The ledger answers before the image is checked: a replay is EC2's record, not a new launch.
    Reservation reservation = ledger.replay(request).orElseGet(() -> launch(request, now));
    if (reservation.instances().stream().allMatch(i -> terminated.contains(i.instanceId()))) {
      throw Ec2Errors.terminated(request.clientToken());
    }
    Optional<RuntimeException> lost = faults.errorAfterLaunch();
    if (lost.isPresent()) {
      throw lost.get();
    }
    return reservation;
  }

  private Reservation launch(RunInstancesRequest request, Instant now) {
    int count = request.maxCount() == null ? 1 : request.maxCount();
    if (count < 1 || (request.minCount() != null && (request.minCount() < 1 || request.minCount() > count))) {
      throw Ec2Errors.error(400, "InvalidParameterValue", "MinCount and MaxCount must be positive, MinCount at most "
          + "MaxCount; got " + request.minCount() + ", " + request.maxCount());
    }
    if (faults.deregistered(request.imageId())) {
      throw Ec2Errors.imageNotFound(request.imageId());
    }
    LaunchParameters asked = new LaunchParameters(request);
    Optional<String> refusal = capacity.refusal(asked.pool(), now);
    if (refusal.isPresent()) {
      throw Ec2Errors.capacity(refusal.get(), asked.pool().instanceType(),
          request.subnetId() == null ? REGION : request.subnetId());
    }
    String reservationId = String.format("r-%017x", ++ids);
    List<Outcome.InstanceRef> refs = new ArrayList<>();
    SimInstance first = null;
    for (int i = 0; i < count; i++) {
      SimInstance instance = asked.instance(String.format("i-%017x", ++ids), reservationId, now,
          now.plus(lag.draw(random)));
      instances.add(instance);
      refs.add(new Outcome.InstanceRef(instance.instanceId(), "pending"));
      first = first == null ? instance : first;
    }
    Reservation reservation = new Reservation(reservationId, refs, Optional.of(first.placement()));
    ledger.record(request, reservation);
    return reservation;
  }

  @Override
  public synchronized List<FoundInstance> findByToken(String token, TokenFilter filter) {
    gate(Ec2Operation.DESCRIBE_INSTANCES, describeBucket, clock.instant());
    return describe(filter == TokenFilter.TAG ? i -> i.token().equals(Optional.of(token))
        : i -> i.clientToken().equals(Optional.of(token)));
  }

  @Override
  public synchronized List<FoundInstance> findByClientTokens(List<String> clientTokens) {
    if (clientTokens.isEmpty()) {
      return List.of();
    }
    gate(Ec2Operation.DESCRIBE_INSTANCES, describeBucket, clock.instant());
    return describe(i -> i.clientToken().filter(clientTokens::contains).isPresent());
  }

  private List<FoundInstance> describe(Predicate<SimInstance> filter) {
    Instant now = clock.instant();
    return instances.stream().filter(i -> i.visibleAt(now) && filter.test(i))
        .map(i -> new FoundInstance(i.instanceId(), i.reservationId(), state(i), i.requestHash(),
            Optional.of(i.placement()))).toList();
  }

  private String state(SimInstance instance) {
    return terminated.contains(instance.instanceId()) ? "terminated" : "running";
  }

  @Override
  public synchronized TaggedLaunchPage findTaggedLaunches(List<LaunchSpan> spans, Optional<String> pageToken) {
    Instant now = clock.instant();
    gate(Ec2Operation.DESCRIBE_INSTANCES, describeBucket, now);
    // No spans: asked without the launch-time filter, as SdkEc2Port asks an endpoint that refuses it.
    List<SimInstance> matching = instances.stream().filter(i -> i.visibleAt(now) && i.token().isPresent()
        && (spans.isEmpty() || spans.stream().anyMatch(span -> span.contains(i.launchTime())))).toList();
    int from = pageToken.map(Integer::parseInt).orElse(0);
    int to = Math.min(matching.size(), from + pageSize);
    List<TaggedLaunch> page = matching.subList(Math.min(from, to), to).stream()
        .map(i -> new TaggedLaunch(i.instanceId(), i.token().get(), i.launchTime(), i.launchedWith())).toList();
    return new TaggedLaunchPage(page, to < matching.size() ? Optional.of(Integer.toString(to)) : Optional.empty());
  }

  @Override
  public boolean dryRunAllowed(RunInstancesRequest request) {
    try {
      runInstances(request.toBuilder().dryRun(true).build());
    } catch (Ec2Exception e) {
      String code = e.awsErrorDetails().errorCode();
      if (Ec2Errors.DRY_RUN_OPERATION.equals(code)) {
        return true;
      }
      if (Ec2Errors.UNAUTHORIZED.equals(code)) {
        return false;
      }
      throw e;
    }
    throw new IllegalStateException("a DryRun RunInstances returned without an error");
  }

  @Override
  public synchronized String rootDeviceName(String imageId) {
    gate(Ec2Operation.DESCRIBE_IMAGES, describeBucket, clock.instant());
    if (faults.deregistered(imageId)) {
      throw Ec2Errors.imageNotFound(imageId);
    }
    return ROOT_DEVICE;
  }

  /** What every call passes first: the account's faults, the throttle, an injected server error. */
  private void gate(Ec2Operation operation, Bucket bucket, Instant now) {
    calls.merge(operation, 1, Integer::sum);
    Optional<Ec2Exception> account = faults.accountFault(operation, now);
    if (account.isPresent()) {
      throw account.get();
    }
    if (throttling && !bucket.tryTake(now)) {
      throw Ec2Errors.throttled();
    }
    Optional<Ec2Exception> error = faults.errorBefore(operation);
    if (error.isPresent()) {
      throw error.get();
    }
  }
}
