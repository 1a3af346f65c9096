package io.launchworker.launch;

import io.launchworker.message.Outcome;
import io.launchworker.ops.WorkerMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * The one place that asks EC2 what a request's token launched before: by the worker's token tag (every shape's
 * instances carry it, written atomically at launch) and by EC2's own record of each shape's ClientToken. Both reads
 * are eventually consistent; asking both narrows the lag, and {@link Doubt} decides what an empty answer is worth.
 * Each call takes a Describe budget token. Thread-safe.
 */
final class EarlierLaunches {
  private static final Logger log = LoggerFactory.getLogger(EarlierLaunches.class);

  private final Ec2Port ec2;
  private final Ec2Budget budget;
  private final WorkerMetrics metrics;
  /**
   * Code-less 5xx answers to client-token queries in a row after which the endpoint is taken not to implement the
   * filter (moto, LocalStack): one could be a proxy's 502, and EC2 answers every 5xx of its own with a code.
   */
  static final int REFUSALS_BEFORE_GIVING_UP = 3;
  private final java.util.concurrent.atomic.AtomicInteger codelessRefusals = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean clientTokenFilterRefused;

  EarlierLaunches(Ec2Port ec2, Ec2Budget budget, WorkerMetrics metrics) {
    this.ec2 = ec2;
    this.budget = budget;
    this.metrics = metrics;
  }

  /**
   * Instances launched with the token, by tag or by any of the shape ClientTokens; empty when none shows. Empty
   * {@code Optional} when a stop came while waiting for the budget.
   *
   * @throws RuntimeException EC2's error, unchanged
   */
  Optional<List<Ec2Port.FoundInstance>> find(String token, List<String> clientTokens, BooleanSupplier stopping) {
    if (!budget.describe().acquire(stopping)) {
      return Optional.empty();
    }
    List<Ec2Port.FoundInstance> byTag = ec2.findByToken(token, Ec2Port.TokenFilter.TAG);
    if (!byTag.isEmpty() || clientTokens.isEmpty() || clientTokenFilterRefused) {
      return Optional.of(byTag);
    }
    if (!budget.describe().acquire(stopping)) {
      return Optional.empty();
    }
    try {
      List<Ec2Port.FoundInstance> found = ec2.findByClientTokens(clientTokens);
      codelessRefusals.set(0);
      return Optional.of(found);
    } catch (AwsServiceException e) {
      if (e.statusCode() < 500 || (e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null)
          || codelessRefusals.incrementAndGet() < REFUSALS_BEFORE_GIVING_UP) {
        throw e;
      }
      // moto answers the client-token filter with HTTP 500 and no error code; it ignores ClientToken anyway, so its
      // tag is the only record.
      clientTokenFilterRefused = true;
      log.warn("EC2 endpoint failed DescribeInstances with the client-token filter (HTTP {}, no error code); looking "
          + "launches up by the token tag only from now on", e.statusCode());
      return Optional.of(byTag);
    }
  }

  /**
   * A {@code clientToken} as releases before sender scoping launched it: the token tag and the shape ClientTokens
   * were the {@code clientToken} itself, whoever sent it.
   */
  record Unscoped(String token, List<String> clientTokens) {
    Unscoped {
      clientTokens = List.copyOf(clientTokens);
    }
  }

  /**
   * The instances an older release launched under the unscoped {@code clientToken} that are this request's: those
   * whose request hash tag is this request's. Another hash is another producer's request under the same
   * {@code clientToken}: not a conflict any more (its sender has its own scope), so it is left alone and this
   * request launches under its own token. The hash cannot tell two senders' byte-identical requests apart: such a
   * launch of another sender's counts as this one's (guarantees.md, "Security model").
   */
  List<Ec2Port.FoundInstance> sameRequest(Unscoped unscoped, List<Ec2Port.FoundInstance> found, String hash) {
    List<Ec2Port.FoundInstance> mine = found.stream()
        .filter(i -> i.requestHash().filter(hash::equals).isPresent()).toList();
    if (mine.size() < found.size()) {
      log.info("{} instance(s) launched under the unscoped client token {} belong to another request (another "
          + "request hash): not this one's, and no conflict now that tokens are scoped by sender",
          found.size() - mine.size(), unscoped.token());
    }
    return mine;
  }

  /**
   * What the instances found mean: the same request hash means this request launched them; another hash means the
   * token belongs to a different request. Empty when nothing was found.
   */
  Optional<Outcome> resolve(List<Ec2Port.FoundInstance> found, Optional<String> hash, String how, String trigger) {
    if (found.isEmpty()) {
      metrics.lookup(trigger, "not_found");
      return Optional.empty();
    }
    if (hash.isPresent()
        && !found.stream().allMatch(i -> i.requestHash().filter(hash.get()::equals).isPresent())) {
      metrics.lookup(trigger, "conflict");
      // Never name the other request's instances: they are not this message's to know.
      return Optional.of(Outcome.rejected("token_conflict", "client token already used by a different request "
          + "(its instances carry another request hash); choose another clientToken", Optional.empty()));
    }
    // No request to hash: the token is this message's own ID or the worker's attribute, so what carries it was
    // launched from this message.
    metrics.lookup(trigger, "found");
    return Optional.of(alreadyLaunched(how, found));
  }

  static Outcome alreadyLaunched(String how, List<Ec2Port.FoundInstance> found) {
    // One reservation per instance found: both filters may name the same instance.
    Map<String, Ec2Port.FoundInstance> unique = new LinkedHashMap<>();
    found.forEach(i -> unique.putIfAbsent(i.instanceId(), i));
    List<Ec2Port.FoundInstance> instances = new ArrayList<>(unique.values());
    return Outcome.alreadyLaunched(how, Optional.of(instances.get(0).reservationId()),
        instances.stream().map(i -> new Outcome.InstanceRef(i.instanceId(), i.state())).toList())
        .withPlacement(instances.get(0).placement());
  }
}
