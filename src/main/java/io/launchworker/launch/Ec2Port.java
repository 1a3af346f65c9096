package io.launchworker.launch;

import java.util.List;
import java.util.Optional;
import io.launchworker.settle.Outcome;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * The two EC2 operations the worker needs, and nothing else. Implementations block and throw the SDK's
 * exceptions unchanged so that {@code settle.Ec2ErrorClassifier} can read their error codes. Thread-safe.
 */
public interface Ec2Port {

  /** Calls RunInstances; the request carries the client token and the worker's tags. */
  Reservation runInstances(RunInstancesRequest request);

  /** Every instance (any state) launched with this token, looked up by the given filter; paginated fully. */
  List<FoundInstance> findByToken(String token, TokenFilter filter);

  /** How instances are found for a token. */
  enum TokenFilter {
    /** {@code tag:launch-worker:token}: written atomically by RunInstances; works on emulators ignoring tokens. */
    TAG,
    /** {@code client-token}: EC2's own record of the token. */
    CLIENT_TOKEN
  }

  /** What RunInstances answered. */
  record Reservation(String reservationId, List<Outcome.InstanceRef> instances) {
    public Reservation {
      instances = List.copyOf(instances);
    }
  }

  /** An instance found by token, with the request hash tag it was launched with, if any. */
  record FoundInstance(String instanceId, String reservationId, String state, Optional<String> requestHash) {}
}
