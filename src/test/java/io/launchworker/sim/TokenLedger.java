package io.launchworker.sim;

import io.launchworker.launch.Ec2Port;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * EC2's record of RunInstances ClientTokens ("Ensuring idempotency in Amazon EC2 API requests"), which, unlike
 * DescribeInstances, is consistent at once: a token that launched is answered with the same reservation, launching
 * nothing, when the parameters are the same, and with {@code IdempotentParameterMismatch} when they are not. The
 * parameters are the whole request (tags, and so the worker's message-id tag, included) minus DryRun and the SDK's
 * per-call configuration, compared by the SDK model's value equality (which, unlike its {@code toString}, sees
 * UserData). A refused or failed call records nothing. Tokens never expire here (EC2 keeps them at least 24 hours
 * after the instance terminates). Guarded by its owner.
 */
final class TokenLedger {
  private record Entry(RunInstancesRequest parameters, Ec2Port.Reservation reservation) {}

  private final Map<String, Entry> byToken = new HashMap<>();

  /** The reservation the request's token already made, if any; throws on the same token with other parameters. */
  Optional<Ec2Port.Reservation> replay(RunInstancesRequest request) {
    if (request.clientToken() == null) {
      return Optional.empty();
    }
    Entry entry = byToken.get(request.clientToken());
    if (entry == null) {
      return Optional.empty();
    }
    if (!entry.parameters.equals(parameters(request))) {
      throw Ec2Errors.mismatch(request.clientToken());
    }
    return Optional.of(entry.reservation);
  }

  void record(RunInstancesRequest request, Ec2Port.Reservation reservation) {
    if (request.clientToken() != null) {
      byToken.put(request.clientToken(), new Entry(parameters(request), reservation));
    }
  }

  static RunInstancesRequest parameters(RunInstancesRequest request) {
    return request.toBuilder().dryRun(null).overrideConfiguration((AwsRequestOverrideConfiguration) null).build();
  }
}
