package io.launchworker.sandbox;

import io.launchworker.request.LaunchTags;
import io.launchworker.sandbox.ec2.EmulatedInstance;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The EC2 emulator's instances grouped by the request token the worker tags them with
 * ({@link LaunchTags#TOKEN}), as {@code audit} groups EC2's. Counting by ClientToken would miss a request
 * launched twice under two shapes: each shape has its own ClientToken, but all of them carry the request's token
 * in the tag. Instances without the tag (launched by someone else) are left out. Immutable.
 */
public final class LaunchesByToken {
  /** Reservations (their IDs) per request token. */
  private final Map<String, Set<String>> reservations;
  /** Reservations per instance type; a reservation's instances share one type. */
  private final Map<String, Long> reservationsByType;

  private LaunchesByToken(Map<String, Set<String>> reservations, Map<String, Long> reservationsByType) {
    this.reservations = reservations;
    this.reservationsByType = reservationsByType;
  }

  /** Groups a snapshot of the emulator's instances (terminated ones included, as EC2 still lists them). */
  public static LaunchesByToken of(List<EmulatedInstance> instances) {
    Map<String, Set<String>> reservations = new HashMap<>();
    Map<String, String> typeOfReservation = new HashMap<>();
    for (EmulatedInstance instance : instances) {
      String token = instance.tags().get(LaunchTags.TOKEN);
      if (token != null) {
        reservations.computeIfAbsent(token, t -> new HashSet<>()).add(instance.reservationId());
        typeOfReservation.put(instance.reservationId(), instance.instanceType());
      }
    }
    Map<String, Long> byType = new TreeMap<>();
    typeOfReservation.values().forEach(type -> byType.merge(type, 1L, Long::sum));
    Map<String, Set<String>> frozen = new HashMap<>();
    reservations.forEach((token, ids) -> frozen.put(token, Set.copyOf(ids)));
    return new LaunchesByToken(Map.copyOf(frozen), Collections.unmodifiableMap(byType));
  }

  /** Request tokens with at least one instance. */
  public Set<String> tokens() {
    return reservations.keySet();
  }

  /** Whether a request token has an instance. */
  public boolean launched(String token) {
    return reservations.containsKey(token);
  }

  /** Request tokens whose instances belong to two or more reservations: requests launched twice. Sorted. */
  public List<String> duplicated() {
    return reservations.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).sorted()
        .toList();
  }

  /** Reservations of the tagged instances by instance type, sorted by type. */
  public Map<String, Long> reservationsByInstanceType() {
    return reservationsByType;
  }
}
