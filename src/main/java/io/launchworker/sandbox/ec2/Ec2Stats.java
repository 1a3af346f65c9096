package io.launchworker.sandbox.ec2;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of what the {@link Ec2Emulator} has seen since it started. Immutable.
 *
 * @param callsPerAction every request per {@code Action}, including throttled, failed and DryRun ones
 * @param runInstancesCallsPerToken RunInstances requests per ClientToken (requests without a token and DryRun
 *     requests are not listed)
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
 * @param dryRunCallsPerAnswer RunInstances requests with {@code DryRun=true}, by the code they were answered with:
 *     {@code DryRunOperation} (would have been allowed), {@code UnauthorizedOperation} (denied), or a throttle's,
 *     an injected error's or an invalid parameter's code; none of them launched
 * @param denialsPerCode requests IAM denied, by code: account-wide denials and RunInstances conditions, DryRun
 *     requests included; injected errors are not counted here
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
    Map<String, Long> capacityRefusalsPerCode,
    Map<String, Long> dryRunCallsPerAnswer,
    Map<String, Long> denialsPerCode) {

  public Ec2Stats {
    callsPerAction = Map.copyOf(callsPerAction);
    injectedErrorsPerCode = Map.copyOf(injectedErrorsPerCode);
    capacityRefusalsPerCode = Map.copyOf(capacityRefusalsPerCode);
    dryRunCallsPerAnswer = Map.copyOf(dryRunCallsPerAnswer);
    denialsPerCode = Map.copyOf(denialsPerCode);
    runInstancesCallsPerToken = Map.copyOf(runInstancesCallsPerToken);
    tokensWithMoreThanOneReservation = List.copyOf(tokensWithMoreThanOneReservation);
  }

  /** Requests seen for one action, 0 when none. */
  public long calls(String action) {
    return callsPerAction.getOrDefault(action, 0L);
  }

  /** The snapshot as it was before the emulator had DryRun and denials: none of either. */
  public Ec2Stats(Map<String, Long> callsPerAction, Map<String, Integer> runInstancesCallsPerToken,
      long instancesLaunched, int tokensWithInstances, List<String> tokensWithMoreThanOneReservation,
      long throttledCalls, long injectedErrors, long droppedAnswers, Map<String, Long> injectedErrorsPerCode,
      Map<String, Long> capacityRefusalsPerCode) {
    this(callsPerAction, runInstancesCallsPerToken, instancesLaunched, tokensWithInstances,
        tokensWithMoreThanOneReservation, throttledCalls, injectedErrors, droppedAnswers, injectedErrorsPerCode,
        capacityRefusalsPerCode, Map.of(), Map.of());
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

  /** RunInstances requests with {@code DryRun=true}, whatever their answer. */
  public long dryRunCalls() {
    return dryRunCallsPerAnswer.values().stream().mapToLong(Long::longValue).sum();
  }

  /** DryRun requests answered with this code, 0 when none; {@code DryRunOperation} counts the allowed ones. */
  public long dryRunCalls(String code) {
    return dryRunCallsPerAnswer.getOrDefault(code, 0L);
  }

  /** Requests IAM denied, all codes together. */
  public long denials() {
    return denialsPerCode.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Requests IAM denied with this code, 0 when none. */
  public long denials(String code) {
    return denialsPerCode.getOrDefault(code, 0L);
  }
}
