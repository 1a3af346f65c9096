package io.launchworker.bench;

import java.time.Duration;
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
 */
public record Scenario(int requests, Ec2Latency ec2Latency, Optional<Bucket> ec2Bucket, Optional<Bucket> rate,
    int maxInFlight, int workers, boolean separateProcesses, boolean oneAtATime, Duration timeout) {

  public Scenario {
    if (requests < 1 || maxInFlight < 1 || workers < 1) {
      throw new IllegalArgumentException("--requests, --max-in-flight and --workers must be at least 1");
    }
  }

  /** Whether the workers run as child processes rather than in this JVM. */
  public boolean childProcesses() {
    return separateProcesses || workers > 1;
  }

  /**
   * Each worker's RunInstances budget: {@code --rate} when given; else the emulator's bucket divided among the
   * workers; else effectively unlimited.
   */
  public Bucket workerBudget() {
    return rate.orElseGet(() -> ec2Bucket.map(b -> b.share(workers)).orElse(Bucket.UNLIMITED));
  }
}
