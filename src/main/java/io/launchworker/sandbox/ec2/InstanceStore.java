package io.launchworker.sandbox.ec2;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Instances, reservations and the ClientToken ledger. Every method holds the store's monitor, so the
 * token check, the capacity's admission and the launch they guard are one atomic step; nothing inside sleeps or
 * calls out but for the describe lag supplier. Lock order: the store, then the {@link Ec2Capacity}, which never
 * calls back in but for the count it is handed, or the {@link Ec2Faults} (whose seeded suppliers lock it), which
 * never calls out.
 */
final class InstanceStore {
  /** Resource ids are 17 lower-case hex digits after the prefix, like current EC2 ids. */
  private static final int ID_HEX_DIGITS = 17;
  /** Spot request ids are still short: {@code sir-} and 8 hex digits. */
  private static final int SPOT_REQUEST_HEX_DIGITS = 8;

  private final Clock clock;
  private final Ec2Capacity capacity;
  // Guarded by this.
  private final Random ids;
  private final Map<String, StoredInstance> instances = new LinkedHashMap<>();
  private final Map<String, List<String>> reservations = new HashMap<>();
  private final Map<String, TokenEntry> ledger = new HashMap<>();
  private final Set<String> spotRequestIds = new HashSet<>();
  private long launched;

  /** What the ledger remembers of the first launch under a token. */
  private record TokenEntry(String reservationId, String canonical) {}

  /** One instance before and after a state change. */
  record StateChange(StoredInstance before, StoredInstance after) {}

  /** A reservation as answered by RunInstances. */
  record Reservation(String reservationId, List<StoredInstance> instances, boolean replayed) {}

  InstanceStore(Clock clock, long seed, Ec2Capacity capacity) {
    this.clock = clock;
    this.capacity = capacity;
    this.ids = new Random(seed);
  }

  /**
   * Answers the first reservation when honourToken and the token was seen; otherwise launches as many instances
   * of spec as the capacity admits, each hidden from DescribeInstances for a lag drawn from describeLag.
   *
   * @throws Ec2Error IdempotentParameterMismatch, IdempotentInstanceTerminated or a capacity refusal
   */
  synchronized Reservation runInstances(LaunchSpec spec, boolean honourToken, Supplier<Duration> describeLag) {
    String token = spec.clientToken();
    if (honourToken && token != null) {
      TokenEntry entry = ledger.get(token);
      if (entry != null) {
        return replay(token, entry, spec);
      }
    }
    Reservation reservation = launch(spec, capacity.admit(spec, this::runningSpotInstances), describeLag);
    if (honourToken && token != null) {
      ledger.put(token, new TokenEntry(reservation.reservationId(), spec.canonical()));
    }
    return reservation;
  }

  private Reservation replay(String token, TokenEntry entry, LaunchSpec spec) {
    if (!entry.canonical().equals(spec.canonical())) {
      throw Ec2Error.badRequest("IdempotentParameterMismatch",
          "The client token '" + token + "' was used before with different parameters.");
    }
    List<StoredInstance> current = reservationInstances(entry.reservationId());
    if (current.stream().allMatch(StoredInstance::terminated)) {
      throw Ec2Error.badRequest("IdempotentInstanceTerminated",
          "The instances launched with client token '" + token + "' have been terminated.");
    }
    return new Reservation(entry.reservationId(), current, true);
  }

  private int runningSpotInstances() {
    return (int) instances.values().stream().filter(i -> i.spot() && !i.terminated()).count();
  }

  private Reservation launch(LaunchSpec spec, int count, Supplier<Duration> describeLag) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    // Drawn before anything is stored, so a supplier that throws leaves no half reservation behind.
    List<Instant> visibleFrom = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Duration lag = describeLag.get();
      visibleFrom.add(lag == null || lag.isNegative() ? now : now.plus(lag));
    }
    String reservationId = newId("r-", reservations.keySet());
    List<String> ids = new ArrayList<>();
    List<StoredInstance> created = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      // EC2 opens one Spot request per instance that RunInstances launches on the Spot market.
      String spotRequestId = spec.market().spot() ? newSpotRequestId() : null;
      StoredInstance instance = new StoredInstance(newId("i-", instances.keySet()), reservationId, i,
          spotRequestId, InstanceStates.RUNNING, spec.tags().instance(), now, spec, visibleFrom.get(i));
      instances.put(instance.instanceId(), instance);
      ids.add(instance.instanceId());
      created.add(instance);
    }
    reservations.put(reservationId, ids);
    launched += created.size();
    return new Reservation(reservationId, List.copyOf(created), false);
  }

  private String newSpotRequestId() {
    String id = newId("sir-", SPOT_REQUEST_HEX_DIGITS, spotRequestIds);
    spotRequestIds.add(id);
    return id;
  }

  private String newId(String prefix, Set<String> taken) {
    return newId(prefix, ID_HEX_DIGITS, taken);
  }

  private String newId(String prefix, int hexDigits, Set<String> taken) {
    while (true) {
      StringBuilder id = new StringBuilder(prefix);
      for (int i = 0; i < hexDigits; i++) {
        id.append(Character.forDigit(ids.nextInt(16), 16));
      }
      if (!taken.contains(id.toString())) {
        return id.toString();
      }
    }
  }

  private List<StoredInstance> reservationInstances(String reservationId) {
    return reservations.getOrDefault(reservationId, List.of()).stream().map(instances::get).toList();
  }

  /** Current state of the given ids, in request order; unknown ids are {@code InvalidInstanceID.NotFound}. */
  synchronized List<StoredInstance> require(List<String> instanceIds) {
    return require(instanceIds, i -> true);
  }

  /** As {@link #require(List)}, with the instances that fail {@code known} unknown too. */
  synchronized List<StoredInstance> require(List<String> instanceIds, Predicate<StoredInstance> known) {
    List<String> unknown = instanceIds.stream()
        .filter(id -> !instances.containsKey(id) || !known.test(instances.get(id))).toList();
    if (!unknown.isEmpty()) {
      throw Ec2Error.badRequest("InvalidInstanceID.NotFound",
          "The instance IDs '" + String.join(", ", unknown) + "' do not exist");
    }
    return instanceIds.stream().map(instances::get).toList();
  }

  /** Terminates the instances and answers (previous, current) pairs. */
  synchronized List<StateChange> terminate(List<String> instanceIds) {
    List<StateChange> changes = new ArrayList<>();
    for (StoredInstance before : require(instanceIds)) {
      StoredInstance after = before.withState(InstanceStates.TERMINATED);
      instances.put(after.instanceId(), after);
      changes.add(new StateChange(before, after));
    }
    return changes;
  }

  synchronized void tag(List<String> instanceIds, Map<String, String> tags) {
    for (StoredInstance instance : require(instanceIds)) {
      instances.put(instance.instanceId(), instance.withTags(tags));
    }
  }

  /** Every instance in launch order. */
  synchronized List<StoredInstance> all() {
    return List.copyOf(instances.values());
  }

  synchronized long launchedCount() {
    return launched;
  }

  /** Token → distinct reservation ids among the instances carrying that token. */
  synchronized Map<String, Set<String>> reservationsPerToken() {
    Map<String, Set<String>> perToken = new TreeMap<>();
    for (StoredInstance instance : instances.values()) {
      if (instance.clientToken() != null) {
        perToken.computeIfAbsent(instance.clientToken(), t -> new HashSet<>()).add(instance.reservationId());
      }
    }
    return perToken;
  }
}
