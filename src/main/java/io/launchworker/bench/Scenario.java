package io.launchworker.bench;

import io.launchworker.request.LaunchDefaults;
import io.launchworker.request.LaunchPolicy;
import io.launchworker.request.ReadResult;
import io.launchworker.request.RequestReader;
import io.launchworker.sandbox.ec2.Ec2Capacity;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One benchmark run's settings, checked once. Immutable.
 *
 * @param requests launch requests to send
 * @param ec2Latency the emulator's RunInstances latency
 * @param ec2Bucket the emulator's RunInstances throttle, empty for none
 * @param rate the worker's client-side RunInstances budget per worker, empty for the default (see
 *     {@link #workerBudget()})
 * @param maxInFlight each worker's {@code launcher.max-in-flight}
 * @param workers worker count; more than one always runs as child processes
 * @param separateProcesses run the worker(s) as child processes of this jar even when there is one
 * @param oneAtATime send the next request only after the previous one was settled (idle-queue pickup)
 * @param timeout longest wait for the queue to drain
 * @param capacity limits on the emulator's capacity, in the order they apply; empty: every launch succeeds
 * @param instanceTypes the {@code instanceTypes} every request lists, in order of preference; empty for the
 *     default (see {@link #requestInstanceTypes()})
 */
public record Scenario(int requests, Ec2Latency ec2Latency, Optional<Bucket> ec2Bucket, Optional<Bucket> rate,
    int maxInFlight, int workers, boolean separateProcesses, boolean oneAtATime, Duration timeout,
    List<Ec2Capacity.Limit> capacity, List<String> instanceTypes) {

  /**
   * The types requests list when {@code --capacity} is given without {@code --instance-types}: three, so that a
   * spec taking the first one or two away still leaves a type to fall back to. The bench's worker allows any type.
   */
  public static final String CAPACITY_INSTANCE_TYPE_LIST = "t3.large,t3.medium,t3.small";
  public static final List<String> CAPACITY_INSTANCE_TYPES = List.of(CAPACITY_INSTANCE_TYPE_LIST.split(","));

  public Scenario {
    if (requests < 1 || maxInFlight < 1 || workers < 1) {
      throw new IllegalArgumentException("--requests, --max-in-flight and --workers must be at least 1");
    }
    capacity = List.copyOf(capacity);
    instanceTypes = List.copyOf(instanceTypes);
    if (!instanceTypes.isEmpty()) {
      // The worker's own reader, so that --instance-types is held to the rules a request's instanceTypes is.
      String body = RequestSender.body(0, instanceTypes);
      if (new RequestReader(LaunchPolicy.permissive(), LaunchDefaults.none()).read(body)
          instanceof ReadResult.Rejected rejected) {
        throw new IllegalArgumentException("--instance-types " + String.join(",", instanceTypes) + ": "
            + rejected.rejection().message());
      }
    }
  }

  /** The scenario as it was before capacity: every launch succeeds, requests name one instance type. */
  public Scenario(int requests, Ec2Latency ec2Latency, Optional<Bucket> ec2Bucket, Optional<Bucket> rate,
      int maxInFlight, int workers, boolean separateProcesses, boolean oneAtATime, Duration timeout) {
    this(requests, ec2Latency, ec2Bucket, rate, maxInFlight, workers, separateProcesses, oneAtATime, timeout,
        List.of(), List.of());
  }

  /** Whether the workers run as child processes rather than in this JVM. */
  public boolean childProcesses() {
    return separateProcesses || workers > 1;
  }

  /**
   * Each worker's RunInstances ceiling: {@code --rate} when given; else the emulator's whole bucket, as the docs
   * advise (each worker finds its share below it); else effectively unlimited.
   */
  public Bucket workerBudget() {
    return rate.orElseGet(() -> ec2Bucket.orElse(Bucket.UNLIMITED));
  }

  /** The capacity limits as one line, as {@code --capacity} takes them; empty when there are none. */
  public String capacitySpec() {
    return String.join(",", capacity.stream().map(Ec2Capacity.Limit::toString).toList());
  }

  /**
   * The {@code instanceTypes} the requests list: {@code --instance-types}; else, with capacity limits,
   * {@link #CAPACITY_INSTANCE_TYPES}; else none, and each request names the one type it always did.
   */
  public List<String> requestInstanceTypes() {
    return !instanceTypes.isEmpty() || capacity.isEmpty() ? instanceTypes : CAPACITY_INSTANCE_TYPES;
  }
}
