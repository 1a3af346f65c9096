package io.launchworker.launch;

/**
 * The worker's client-side EC2 API budget: one {@link RateGate} for RunInstances and one for the Describe
 * look-ups, which EC2 meters separately (mutating vs non-mutating calls). Shared by all handler threads and by
 * the {@link Ec2CallObserver} that reports each HTTP attempt's throttling back to it. Thread-safe.
 */
public record Ec2Budget(RateGate runInstances, RateGate describe) {

  /**
   * The budget configured in {@code launcher.ec2}: adaptive gates whose ceilings are the configured bursts and rates
   * (the account's limits), each finding this replica's share of them; with {@code launcher.ec2.adaptive = false},
   * fixed gates at exactly the configured rates.
   */
  public static Ec2Budget of(io.launchworker.config.WorkerConfig.Ec2Limits limits) {
    if (!limits.adaptive()) {
      return new Ec2Budget(RateGate.system(limits.runInstancesBurst(), limits.runInstancesPerSecond()),
          RateGate.system(limits.describeBurst(), limits.describePerSecond()));
    }
    return new Ec2Budget(RateGate.adaptiveSystem(limits.runInstancesBurst(), limits.runInstancesPerSecond()),
        RateGate.adaptiveSystem(limits.describeBurst(), limits.describePerSecond()));
  }

  /** A budget that never waits (tests and benchmarks that measure something else). */
  public static Ec2Budget unlimited() {
    return new Ec2Budget(RateGate.system(1_000_000, 1_000_000), RateGate.system(1_000_000, 1_000_000));
  }

  /** Wakes everyone waiting for either budget to look at its stop flag again (the worker is stopping). */
  public void wakeWaiters() {
    runInstances.wakeWaiters();
    describe.wakeWaiters();
  }

  RateGate forOperation(String operation) {
    return "RunInstances".equals(operation) ? runInstances : describe;
  }
}
