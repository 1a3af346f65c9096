package io.launchworker.bench;

import io.launchworker.sandbox.LaunchesByToken;
import io.launchworker.sandbox.ec2.Ec2Stats;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What became of the bench's requests in EC2: each request counted by the request token its instances are tagged
 * with ({@code launch-worker:token}), never by ClientToken, since every shape of a request has its own
 * ClientToken and a request launched under two shapes would otherwise look like two requests launched once each.
 * Immutable.
 *
 * @param launched requests (of those sent) with at least one instance
 * @param duplicates request tokens whose instances belong to two or more reservations: launched twice
 * @param lost requests sent that have no instance
 * @param byInstanceType reservations (launches) by instance type, sorted by type
 * @param refusalsByCode RunInstances calls the emulator refused for capacity, by error code, sorted by code
 */
public record Launches(int launched, int duplicates, int lost, Map<String, Long> byInstanceType,
    Map<String, Long> refusalsByCode) {

  public Launches {
    byInstanceType = Collections.unmodifiableMap(new TreeMap<>(byInstanceType));
    refusalsByCode = Collections.unmodifiableMap(new TreeMap<>(refusalsByCode));
  }

  /**
   * @param sentTokens the tokens of the requests sent: their SQS message IDs, which the worker uses as the token
   *     of a request without a {@code clientToken}
   */
  static Launches of(Collection<String> sentTokens, LaunchesByToken ec2, Ec2Stats stats) {
    int launched = (int) sentTokens.stream().filter(ec2::launched).count();
    return new Launches(launched, ec2.duplicated().size(), sentTokens.size() - launched,
        ec2.reservationsByInstanceType(), stats.capacityRefusalsPerCode());
  }

  /** RunInstances calls refused for capacity, all codes together. */
  public long refusals() {
    return refusalsByCode.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Every request sent launched, none twice. */
  public boolean exactlyOnce() {
    return duplicates == 0 && lost == 0;
  }
}
