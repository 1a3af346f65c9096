package io.launchworker.sim;

import java.time.Instant;
import java.util.Optional;

/**
 * One RunInstances call {@link SimEc2} received (DryRuns included): its ClientToken, how many instances it launched
 * (0 for a replay of the token, a refusal, a DryRun) and what the caller was answered: {@code ok}, EC2's error code, or
 * {@code SdkClientException} for a lost answer. Immutable.
 */
public record RunCall(Instant at, Optional<String> clientToken, boolean dryRun, int launched, String answer) {}
