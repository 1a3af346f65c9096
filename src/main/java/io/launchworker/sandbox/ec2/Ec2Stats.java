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
 */
public record Ec2Stats(
    Map<String, Long> callsPerAction,
    Map<String, Integer> runInstancesCallsPerToken,
    long instancesLaunched,
    int tokensWithInstances,
    List<String> tokensWithMoreThanOneReservation,
    long throttledCalls,
    long injectedErrors,
    long droppedAnswers) {

  public Ec2Stats {
    callsPerAction = Map.copyOf(callsPerAction);
    runInstancesCallsPerToken = Map.copyOf(runInstancesCallsPerToken);
    tokensWithMoreThanOneReservation = List.copyOf(tokensWithMoreThanOneReservation);
  }

  /** Requests seen for one action, 0 when none. */
  public long calls(String action) {
    return callsPerAction.getOrDefault(action, 0L);
  }
}
