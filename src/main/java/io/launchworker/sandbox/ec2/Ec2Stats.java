package io.launchworker.sandbox.ec2;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of what the {@link Ec2Emulator} has seen since it started. Immutable.
 *
 * @param callsPerAction every request per {@code Action}, including throttled and failed ones
 * @param runInstancesCallsPerToken RunInstances requests per ClientToken (requests without a token are not listed)
 * @param instancesLaunched instances created by RunInstances (idempotent replays create none)
 * @param tokensWithInstances distinct ClientTokens carried by at least one instance
 * @param tokensWithMoreThanOneReservation tokens whose instances belong to two or more reservations —
 *     duplicate launches; always empty unless {@code ignoreClientToken} was on
 * @param throttledCalls requests answered {@code RequestLimitExceeded}
 * @param injectedErrors requests answered with an injected error
 * @param droppedAnswers RunInstances requests that launched but whose answer was dropped
 * @param injectedErrorsPerCode {@code injectedErrors} split by error code (an injected
 *     {@code RequestLimitExceeded} is counted here, not in {@code throttledCalls})
 * @param capacityRefusalsPerCode RunInstances requests the {@link Ec2Capacity} refused, by error code
 *     ({@code InsufficientInstanceCapacity}, {@code Unsupported}, …); injected errors are not counted here
 */
public record Ec2Stats(
    Map<String, Long> callsPerAction,
    Map<String, Integer> runInstancesCallsPerToken,
    long instancesLaunched,
    int tokensWithInstances,
    List<String> tokensWithMoreThanOneReservation,
    long throttledCalls,
    long injectedErrors,
    long droppedAnswers,
    Map<String, Long> injectedErrorsPerCode,
    Map<String, Long> capacityRefusalsPerCode) {

  public Ec2Stats {
    callsPerAction = Map.copyOf(callsPerAction);
    injectedErrorsPerCode = Map.copyOf(injectedErrorsPerCode);
    capacityRefusalsPerCode = Map.copyOf(capacityRefusalsPerCode);
    runInstancesCallsPerToken = Map.copyOf(runInstancesCallsPerToken);
    tokensWithMoreThanOneReservation = List.copyOf(tokensWithMoreThanOneReservation);
  }

  /** Requests seen for one action, 0 when none. */
  public long calls(String action) {
    return callsPerAction.getOrDefault(action, 0L);
  }

  /** The snapshot as it was before the emulator had capacity: no refusals. */
  public Ec2Stats(Map<String, Long> callsPerAction, Map<String, Integer> runInstancesCallsPerToken,
      long instancesLaunched, int tokensWithInstances, List<String> tokensWithMoreThanOneReservation,
      long throttledCalls, long injectedErrors, long droppedAnswers, Map<String, Long> injectedErrorsPerCode) {
    this(callsPerAction, runInstancesCallsPerToken, instancesLaunched, tokensWithInstances,
        tokensWithMoreThanOneReservation, throttledCalls, injectedErrors, droppedAnswers, injectedErrorsPerCode,
        Map.of());
  }

  /** Requests answered with an injected error of this code, 0 when none. */
  public long injectedErrors(String code) {
    return injectedErrorsPerCode.getOrDefault(code, 0L);
  }

  /** RunInstances requests the capacity refused, all codes together. */
  public long capacityRefusals() {
    return capacityRefusalsPerCode.values().stream().mapToLong(Long::longValue).sum();
  }

  /** RunInstances requests the capacity refused with this code, 0 when none. */
  public long capacityRefusals(String code) {
    return capacityRefusalsPerCode.getOrDefault(code, 0L);
  }
}
